/** Pure parsing of `scripts/weights.ts` arguments into one command. */
import { DEFAULT_MODEL_DIR } from '../../core/manifest.ts';
import { WeightsError } from './errors.ts';
import type { BucketTarget } from './model-bucket.ts';

export type WeightsCommand =
  | { readonly kind: 'publish'; readonly dir: string; readonly target: BucketTarget }
  | { readonly kind: 'list'; readonly target: BucketTarget }
  | { readonly kind: 'rollback'; readonly version: string; readonly target: BucketTarget }
  | { readonly kind: 'help' };

export const USAGE = `Usage:
  npm run weights:publish -- [--dir EXPORT] [--local | --remote] [--persist-to DIR]
  npm run weights:list -- [--local | --remote] [--persist-to DIR]
  npm run weights:rollback -- VERSION [--local | --remote] [--persist-to DIR]

EXPORT defaults to ${DEFAULT_MODEL_DIR}. --local (the default) uses wrangler's local R2 state
(.wrangler/state, or --persist-to DIR); --remote uses the Cloudflare account wrangler is logged in to.`;

/** `argv` without node and the script path, e.g. `['publish', '--dir', 'models/default']`. */
export function parseWeightsArguments(argv: readonly string[]): WeightsCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || rest.includes('--help') || rest.includes('-h')) {
    return { kind: 'help' };
  }
  let dir: string | undefined;
  let persistTo: string | undefined;
  let mode: 'local' | 'remote' | undefined;
  const positionals: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const argument = rest[i] as string;
    const [flag, inlineValue] = argument.startsWith('--')
      ? argument.split(/=(.*)/s, 2)
      : [argument, undefined];
    const value = (): string => {
      const next = inlineValue ?? rest[++i];
      if (next === undefined || next === '') throw new WeightsError(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case '--dir':
        dir = value();
        break;
      case '--persist-to':
        persistTo = value();
        break;
      case '--local':
      case '--remote': {
        const chosen = flag === '--local' ? 'local' : 'remote';
        if (mode !== undefined && mode !== chosen)
          throw new WeightsError('choose either --local or --remote');
        mode = chosen;
        break;
      }
      default:
        if (argument.startsWith('-')) throw new WeightsError(`unknown option ${argument}`);
        positionals.push(argument);
    }
  }
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
