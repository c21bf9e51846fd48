import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalServer } from '../../scripts/local-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Origin of the local Worker serving site and API, e.g. http://127.0.0.1:41234. */
    baseUrl: string;
  }
}

const SITE_INDEX = new URL('../../site/dist/index.html', import.meta.url);

/** Starts one local server (site + API, committed model seeded into fresh R2 state) for every e2e file. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!existsSync(SITE_INDEX)) {
    throw new Error('site/dist is missing: run `npm run build` before the browser tests (npm test does).');
  }
  const persistTo = await mkdtemp(join(tmpdir(), 'digit-edge-e2e-'));
  const server = await startLocalServer({ persistTo });
  project.provide('baseUrl', server.url);
  return async () => {
    await server.stop();
    await rm(persistTo, { recursive: true, force: true });
  };
}
