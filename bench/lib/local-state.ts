/** One local R2 state per bench run, seeded once with the committed model and shared by every server. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalServer, seedLocalModel, startLocalServer } from '../../scripts/local-server.ts';

export const BENCH_WORKER_CONFIG = 'bench/workerd/wrangler.toml';

export interface SeededState {
  readonly path: string;
  remove(): Promise<void>;
}

export async function createSeededState(): Promise<SeededState> {
  const path = await mkdtemp(join(tmpdir(), 'digit-edge-bench-'));
  await seedLocalModel(path);
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * The real Worker (wrangler.toml) or the bench entry (bench/workerd), served by `wrangler dev`. Tried twice:
 * on a shared machine another server may take the free port between its choice and wrangler's bind.
 */
export async function startServer(state: SeededState, which: 'app' | 'bench'): Promise<LocalServer> {
  const start = () =>
    startLocalServer({
      persistTo: state.path,
      seed: false,
      // Load from one address: the production limits would refuse most of it (as RATE_LIMIT=off npm start).
      vars: { RATE_LIMIT: 'off' },
      ...(which === 'bench' ? { config: BENCH_WORKER_CONFIG } : {}),
    });
  try {
    return await start();
  } catch {
    return start();
  }
}

/** Base64 of a Float32Array's bytes (how pixels travel to the bench entry). */
export const float32ToBase64 = (values: Float32Array): string =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
