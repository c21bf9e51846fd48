/**
 * One way to read a command line: `node:util` parseArgs over an option table that also writes the options
 * part of `--help`. Used by `npm run train`, `npm run bench` and the `weights:*` commands.
 */
import { parseArgs } from 'node:util';

interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** The value's placeholder in `--help`, e.g. `N` or `DIR`. */
  readonly value?: string;
  /** One line for `--help`. */
  readonly help: string;
}

export type OptionTable = Readonly<Record<string, OptionSpec>>;

/**
 * The `--help` lines for `table`, aligned.
 *
 * @example optionHelp({ out: { type: 'string', value: 'DIR', help: 'export folder' } })
 * // '  --out DIR  export folder'
 */
export function optionHelp(table: OptionTable): string {
  const rows = Object.entries(table).map(([name, option]) => ({
    head: `  ${option.short === undefined ? '' : `-${option.short}, `}--${name}${option.value === undefined ? '' : ` ${option.value}`}`,
    help: option.help,
  }));
  const width = Math.max(...rows.map((row) => row.head.length)) + 2;
  return rows.map((row) => `${row.head.padEnd(width)}${row.help}`).join('\n');
}

/**
 * parseArgs (strict) over `table`. Its errors become `toError` with one short line (`--dir needs a value`,
 * `unknown option --x`); an empty string value counts as missing.
 */
export function parseCommandLine<const T extends OptionTable>(
  args: readonly string[],
  table: T,
  toError: (message: string) => Error,
  options: { allowPositionals?: boolean } = {},
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; strict: true; allowPositionals: true }>
  >;
  try {
    parsed = parseArgs({ args: [...args], options: table, strict: true, allowPositionals: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const missing = /^Option '(--[\w-]+)(?: <value>)?' argument missing/.exec(message);
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    throw toError(
      missing !== null
        ? `${missing[1]} needs a value`
        : unknown !== null
          ? `unknown option ${unknown[1]}`
          : (message.split('. ')[0] ?? message),
    );
  }
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === '') throw toError(`--${name} needs a value`);
  }
  if (options.allowPositionals !== true && parsed.positionals.length > 0) {
    throw toError(`unexpected argument ${parsed.positionals[0]}`);
  }
  return parsed;
}
