/**
 * The local R2 state opened in-process through wrangler's public `getPlatformProxy` (one workerd for all
 * operations) instead of one `wrangler r2 object` process per object. It reads and writes the very store
 * `wrangler dev --persist-to DIR` and `wrangler r2 object --local --persist-to DIR` use; seeding through it
 * takes a second or two where the CLI takes ~40 s. Operators' commands keep using the CLI.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getPlatformProxy } from 'wrangler';
import type { ModelBucket } from './model-bucket.ts';
import { REPO_ROOT } from './wrangler-cli.ts';

/** The part of the R2 binding used here (the workers-types globals stay out of the Node project). */
interface R2BindingSubset {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer> } | null>;
  put(key: string, value: Uint8Array, options: { httpMetadata?: { contentType: string } }): Promise<unknown>;
}

export interface DisposableBucket extends ModelBucket {
  dispose(): Promise<void>;
}

export async function openLocalBucket(persistTo: string): Promise<DisposableBucket> {
  process.env.WRANGLER_SEND_METRICS = 'false';
  process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
  // wrangler.toml's assets folder must exist even though only the bucket is used here.
  await mkdir(join(REPO_ROOT, 'site/dist'), { recursive: true });
  const proxy = await getPlatformProxy<{ MODELS: R2BindingSubset }>({
    configPath: join(REPO_ROOT, 'wrangler.toml'),
    // getPlatformProxy takes the versioned folder itself; wrangler's --persist-to takes its parent.
    persist: { path: join(persistTo, 'v3') },
    remoteBindings: false,
  });
  const bucket = proxy.env.MODELS;
  return {
    description: `local (${persistTo})`,
    async get(key) {
      const object = await bucket.get(key);
      return object === null ? undefined : new Uint8Array(await object.arrayBuffer());
    },
    async put(key, source, contentType) {
      const bytes = 'file' in source ? new Uint8Array(await readFile(source.file)) : source.bytes;
      await bucket.put(key, bytes, contentType === undefined ? {} : { httpMetadata: { contentType } });
    },
    dispose: () => proxy.dispose(),
  };
}
