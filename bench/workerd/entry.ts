/**
 * Bench-only Worker entry (never deployed): the real app from worker/app.ts, plus `/bench/*` endpoints that
 * time the real model modules inside workerd and read the isolate's tfjs memory. `GET /api/health` answers
 * without starting tfjs, so the local server's readiness probe leaves the isolate cold for the cold-start
 * benchmark; every other `/api/*` request goes to the real app.
 */

import * as tf from '@tensorflow/tfjs-core';
import { CURRENT_POINTER_KEY } from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { createApp } from '../../worker/app.ts';
import { type LoadedModel, loadModelFromR2 } from '../../worker/model/load-model.ts';
import { readyTfjs } from '../../worker/tfjs-wasm.ts';

const app = createApp();

/** A timer: I/O for workerd, whose clock may advance only across I/O (always so in production). */
const tick = (): Promise<void> => new Promise((done) => setTimeout(done, 0));

/**
 * Whether `performance.now()` advances during pure computation here. Locally it does (with 1 ms
 * resolution); if not, each timing is closed by an awaited timer instead and includes its latency.
 */
function clockAdvancesWithoutIo(): boolean {
  const started = performance.now();
  let spin = 0;
  for (let i = 0; i < 2e7 && performance.now() - started < 5; i++) spin += Math.sqrt(i);
  return performance.now() - started >= 5 && spin > 0;
}

/** Milliseconds that `run` takes, opened (and, if the clock needs it, closed) by an awaited timer. */
async function timed(run: () => void, closeWithIo: boolean): Promise<number> {
  await tick();
  const started = performance.now();
  run();
  if (closeWithIo) await tick();
  return performance.now() - started;
}

let model: Promise<LoadedModel> | undefined;

/** The current published version, loaded by the Worker's own loader (sha256 checks and all). */
async function benchModel(env: Env): Promise<LoadedModel> {
  model ??= (async () => {
    await readyTfjs();
    const pointer = await env.MODELS.get(CURRENT_POINTER_KEY);
    if (pointer === null) throw new Error(`${CURRENT_POINTER_KEY} is missing: seed the local bucket`);
    const { version } = (await pointer.json()) as { version: string };
    return loadModelFromR2(env.MODELS, version);
  })();
  return model;
}

interface InferencePlan {
  /** count × 784 floats, base64 of a little-endian Float32Array. */
  readonly pixels: string;
  readonly kind: 'single' | 'batch';
  /** Timings to take. */
  readonly samples: number;
  /** Predictions per timing for `single` (the clock has 1 ms steps); digits per call for `batch`. */
  readonly size: number;
  readonly warmUp: number;
}

function decodePixels(base64: string): Float32Array {
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  return new Float32Array(bytes.buffer, 0, bytes.byteLength >> 2);
}

async function inference(request: Request, env: Env): Promise<Response> {
  const plan = (await request.json()) as InferencePlan;
  const pixels = decodePixels(plan.pixels);
  const digits = pixels.length / PIXEL_COUNT;
  const { model: fused } = await benchModel(env);
  const digit = (i: number) => pixels.subarray((i % digits) * PIXEL_COUNT, ((i % digits) + 1) * PIXEL_COUNT);
  const run =
    plan.kind === 'single'
      ? (first: number) => () => {
          for (let i = 0; i < plan.size; i++) fused.predict(digit(first + i), 1);
        }
      : () => () => {
          fused.predict(pixels.subarray(0, plan.size * PIXEL_COUNT), plan.size);
        };
  const closeWithIo = !clockAdvancesWithoutIo();
  for (let i = 0; i < plan.warmUp; i++) run(i)();
  const timings: number[] = [];
  for (let s = 0; s < plan.samples; s++) timings.push(await timed(run(s * plan.size), closeWithIo));
  // What an empty timing reads: the clock's step and the timer's own latency when it closes the timing.
  const empty: number[] = [];
  for (let s = 0; s < 20; s++) empty.push(await timed(() => {}, closeWithIo));
  return Response.json({ timings, empty, closeWithIo, tensors: tf.memory().numTensors });
}

/** The isolate's tfjs figures: live tensors, their bytes, and the wasm heap (which never shrinks). */
function memoryFigures() {
  const memory = tf.memory();
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return {
    tensors: memory.numTensors,
    tensorBytes: memory.numBytes,
    wasmHeapBytes: backend.wasm?.HEAPU8?.buffer.byteLength ?? null,
  };
}

/** Runs `predictions` real POST /api/predict requests through the app in this isolate, then reports. */
async function memory(request: Request, env: Env, context: ExecutionContext): Promise<Response> {
  const { pixels: encoded, predictions } = (await request.json()) as { pixels: string; predictions: number };
  const pixels = decodePixels(encoded);
  const digits = pixels.length / PIXEL_COUNT;
  const bodies = Array.from({ length: digits }, (_, i) =>
    JSON.stringify({ pixels: Array.from(pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT)) }),
  );
  let failures = 0;
  for (let i = 0; i < predictions; i++) {
    const response = await app.fetch(
      new Request('http://bench.local/api/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[i % digits] as string,
      }),
      env,
      context,
    );
    await response.arrayBuffer();
    if (response.status !== 200) failures++;
  }
  return Response.json({ ...memoryFigures(), failures });
}

export default {
  async fetch(request, env, context) {
    const { pathname } = new URL(request.url);
    if (pathname === '/api/health') return new Response('bench entry: tfjs not started by this probe\n');
    if (request.method === 'POST' && pathname === '/bench/inference') return inference(request, env);
    if (request.method === 'POST' && pathname === '/bench/memory') return memory(request, env, context);
    if (pathname === '/bench/memory') return Response.json(memoryFigures());
    return app.fetch(request, env, context);
  },
} satisfies ExportedHandler<Env>;
