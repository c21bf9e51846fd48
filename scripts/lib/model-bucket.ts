/**
 * The R2 bucket that holds published models, reached only through the real `wrangler r2 object` commands,
 * either the local Miniflare state (`--local [--persist-to DIR]`, what `wrangler dev` reads) or the
 * Cloudflare account wrangler is logged in to (`--remote`).
 */
import { WeightsError } from './errors.ts';
import type { WranglerResult } from './wrangler-cli.ts';
import { runWrangler, wranglerFailureReason } from './wrangler-cli.ts';

/** Mirrors `bucket_name` in wrangler.toml (a unit test keeps the two equal). */
export const MODELS_BUCKET = 'digit-edge-models';

export type BucketTarget =
  | { readonly mode: 'local'; readonly persistTo?: string }
  | { readonly mode: 'remote' };

type ObjectSource = { readonly file: string } | { readonly bytes: Uint8Array };

export interface ModelBucket {
  /** Human-readable, for log lines: `local (.wrangler/state)` or `remote`. */
  readonly description: string;
  /** The object's bytes, or undefined when the key does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, source: ObjectSource, contentType?: string): Promise<void>;
}

const MISSING_KEY = /specified key does not exist|NoSuchKey|object not found/i;

/** Tries per call: a wrangler process can fail transiently (network, a busy local state, a loaded machine). */
const ATTEMPTS = 3;

async function runWithRetries(args: readonly string[], input?: Uint8Array): Promise<WranglerResult> {
  let result = await runWrangler(args, input);
  for (
    let attempt = 2;
    attempt <= ATTEMPTS && result.code !== 0 && !MISSING_KEY.test(result.stderr);
    attempt++
  ) {
    await new Promise((done) => setTimeout(done, 500 * attempt));
    result = await runWrangler(args, input);
  }
  return result;
}

/** A bucket backed by `npx wrangler r2 object get|put`. */
export function createWranglerBucket(target: BucketTarget): ModelBucket {
  const location =
    target.mode === 'local'
      ? ['--local', ...(target.persistTo === undefined ? [] : ['--persist-to', target.persistTo])]
      : ['--remote'];
  const objectPath = (key: string): string => `${MODELS_BUCKET}/${key}`;
  return {
    description: target.mode === 'local' ? `local (${target.persistTo ?? '.wrangler/state'})` : 'remote',
    async get(key) {
      const result = await runWithRetries(['r2', 'object', 'get', objectPath(key), '--pipe', ...location]);
      if (result.code === 0) return new Uint8Array(result.stdout);
      if (MISSING_KEY.test(result.stderr)) return undefined;
      throw new WeightsError(`could not read ${key}: ${wranglerFailureReason(result)}`);
    },
    async put(key, source, contentType) {
      const args = ['r2', 'object', 'put', objectPath(key), ...location];
      if (contentType !== undefined) args.push('--content-type', contentType);
      const result =
        'file' in source
          ? await runWithRetries([...args, '--file', source.file])
          : await runWithRetries([...args, '--pipe'], source.bytes);
      if (result.code !== 0)
        throw new WeightsError(`upload of ${key} failed: ${wranglerFailureReason(result)}`);
    },
  };
}
