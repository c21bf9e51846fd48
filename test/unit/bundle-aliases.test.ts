/**
 * wrangler.toml's `[alias]` entries that leave tfjs-backend-wasm's threaded glue out of the Worker bundle
 * (worker/vendor/no-threaded-wasm.ts): each names an import that `dist/backend_wasm.js` really makes, so a
 * tfjs upgrade that moves them fails here instead of silently bundling the glue again, and the stand-in
 * exports what that file imports from them.
 */

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import * as standIn from '../../worker/vendor/no-threaded-wasm.ts';

const root = new URL('../..', import.meta.url).pathname;
const require = createRequire(`${root}package.json`);

describe('the threaded-glue aliases', () => {
  const config = unstable_readConfig({ config: `${root}wrangler.toml` });
  const backend = readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js'), 'utf8');
  const threaded = Object.entries(config.alias ?? {}).filter(([from]) => from.startsWith('../wasm-out/'));

  it('map both threaded imports of dist/backend_wasm.js to the stand-in', () => {
    expect(threaded.map(([from]) => from).sort()).toEqual([
      '../wasm-out/tfjs-backend-wasm-threaded-simd.js',
      '../wasm-out/tfjs-backend-wasm-threaded-simd.worker.js',
    ]);
    for (const [from, to] of threaded) {
      expect(backend, from).toContain(`from '${from}'`);
      expect(to).toBe('./worker/vendor/no-threaded-wasm.ts');
    }
  });

  it('leave the single-threaded glue, which the Worker starts itself, alone', () => {
    expect(backend).toContain("from '../wasm-out/tfjs-backend-wasm.js'");
    expect(Object.keys(config.alias ?? {})).not.toContain('../wasm-out/tfjs-backend-wasm.js');
  });

  it('stand in with what dist/backend_wasm.js imports from them', () => {
    expect(backend).toContain(
      "import { wasmWorkerContents } from '../wasm-out/tfjs-backend-wasm-threaded-simd.worker.js'",
    );
    expect(typeof standIn.wasmWorkerContents).toBe('string');
    expect(() => standIn.default()).toThrow(/not bundled/);
  });
});
