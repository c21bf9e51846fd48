/**
 * The Worker's prewarm (worker/prewarm.ts) runs when its module loads: by the first request it has started
 * tfjs and run its stand-in model through the real load and request code (its timings are set only once
 * all of that succeeded, so a schema change that refuses the stand-in fails here), left no tensor behind,
 * and the requests' own start reuses that runtime.
 * (That it needs no timer or I/O, as workerd's global scope demands, shows in `npm run bench`'s cold
 * profile, which runs the deploy bundle in a fresh workerd: its prewarm rows would read "not finished".)
 */

import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { prewarmTimings } from '../../worker/prewarm.ts';
import { readyTfjs } from '../../worker/tfjs-wasm.ts';

describe('prewarm', () => {
  it('has run when the Worker module loaded, left no tensor, and the requests reuse its runtime', async () => {
    expect(prewarmTimings()).not.toBeNull();
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.memory().numTensors).toBe(0);
    await readyTfjs();
    expect(tf.getBackend()).toBe('wasm');
  });
});
