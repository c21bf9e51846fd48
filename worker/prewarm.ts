/**
 * Work done while workerd loads the script, before any request: on Cloudflare that happens while the
 * TLS handshake of the first connection is still running. It starts the wasm runtime and runs the
 * model's kernels once on stand-in weights of the served shapes, so that the JavaScript and wasm code of
 * the prediction path is compiled before a fresh isolate's first request, which then only reads, checks
 * and sets up its real model. Global scope allows no I/O and no timers; nothing here needs them.
 */

import { elementCount, PIXEL_COUNT, WEIGHT_SPECS } from '../core/model-spec.ts';
import { createFusedModel } from './model/fused-model.ts';
import type { TfjsStarter } from './tfjs-wasm.ts';

/** Milliseconds of the last prewarm (performance.now()), or null before one has finished. */
let lastPrewarm: { readonly runtimeMs: number; readonly kernelsMs: number } | null = null;
export const prewarmTimings = () => lastPrewarm;

/** Starts `runtime` early and runs the kernels once; never throws (a failure is retried by requests). */
export function prewarm(runtime: TfjsStarter): void {
  const started = performance.now();
  try {
    runtime
      .early()
      .then(() => {
        const ready = performance.now();
        const standIn = new Map(
          WEIGHT_SPECS.map((spec) => [
            spec.name,
            { values: new Float32Array(elementCount(spec.shape)), shape: spec.shape },
          ]),
        );
        const model = createFusedModel(standIn);
        try {
          model.outputs(new Float32Array(PIXEL_COUNT), 1);
        } finally {
          model.dispose();
        }
        lastPrewarm = { runtimeMs: ready - started, kernelsMs: performance.now() - ready };
      })
      .catch(() => {});
  } catch {
    // Whatever fails here, the first request starts the runtime itself (and reports a failure).
  }
}
