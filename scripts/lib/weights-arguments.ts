/** Pure parsing of `scripts/weights.ts` arguments into one command. */
import { DEFAULT_MODEL_DIR } from '../../core/manifest.ts';
import { type OptionTable, optionHelp, parseCommandLine } from './command-line.ts';
import { WeightsError } from './errors.ts';
import type { BucketTarget } from './model-bucket.ts';

export type WeightsCommand =
  | { readonly kind: 'publish'; readonly dir: string; readonly target: BucketTarget }
  | { readonly kind: 'list'; readonly target: BucketTarget }
  | { readonly kind: 'rollback'; readonly version: string; readonly target: BucketTarget }
  | { readonly kind: 'help' };

const OPTIONS = {
  dir: { type: 'string', value: 'EXPORT', help: `publish: the export folder (default ${DEFAULT_MODEL_DIR})` },
  local: { type: 'boolean', help: "wrangler's local R2 state (the default)" },
  remote: { type: 'boolean', help: 'the R2 bucket of the Cloudflare account wrangler is logged in to' },
  'persist-to': { type: 'string', value: 'DIR', help: 'local state folder (default .wrangler/state)' },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies OptionTable;

export const USAGE = `Usage:
  npm run weights:publish -- [--dir EXPORT] [--local | --remote] [--persist-to DIR]
  npm run weights:list -- [--local | --remote] [--persist-to DIR]
  npm run weights:rollback -- VERSION [--local | --remote] [--persist-to DIR]

${optionHelp(OPTIONS)}`;

/** `argv` without node and the script path, e.g. `['publish', '--dir', 'models/default']`. */
export function parseWeightsArguments(argv: readonly string[]): WeightsCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || rest.includes('--help') || rest.includes('-h')) {
    return { kind: 'help' };
  }
  const { values, positionals } = parseCommandLine(rest, OPTIONS, (message) => new WeightsError(message), {
    allowPositionals: true,
  });
  const { dir, 'persist-to': persistTo } = values;
  if (values.local === true && values.remote === true)
    throw new WeightsError('choose either --local or --remote');
  const mode = values.remote === true ? 'remote' : 'local';
  if (mode === 'remote' && persistTo !== undefined)
    throw new WeightsError('--persist-to only applies to --local');
  const target: BucketTarget =
    mode === 'remote'
      ? { mode: 'remote' }
      : persistTo === undefined
        ? { mode: 'local' }
        : { mode: 'local', persistTo };

  switch (command) {
    case 'publish':
      if (positionals.length > 0)
        throw new WeightsError(`unexpected argument ${positionals[0]} (use --dir EXPORT)`);
      return { kind: 'publish', dir: dir ?? DEFAULT_MODEL_DIR, target };
    case 'list':
      if (positionals.length > 0 || dir !== undefined)
        throw new WeightsError('list takes no export or version');
      return { kind: 'list', target };
    case 'rollback': {
      if (dir !== undefined) throw new WeightsError('rollback takes a VERSION, not --dir');
      const [version, extra] = positionals;
      if (version === undefined) throw new WeightsError('rollback needs the VERSION to point back to');
      if (extra !== undefined) throw new WeightsError(`unexpected argument ${extra}`);
      return { kind: 'rollback', version, target };
    }
    default:
      throw new WeightsError(`unknown command ${command} (publish, list or rollback)`);
  }
}
