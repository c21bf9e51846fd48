/**
 * Bench-only Worker entry (never deployed): the real app from worker/app.ts, plus `/bench/*` endpoints that
 * time the real model modules inside workerd and read the isolate's tfjs memory. `GET /api/health` answers
 * without starting tfjs, so the local server's readiness probe leaves the isolate cold for the cold-start
 * benchmark; every other `/api/*` request goes to the real app.
 */

// First, so that its clock reading opens the bundle's top-level evaluation (modules evaluate in import order).
import './evaluation-clock.ts';
// @hono/zod-openapi gives zod its .openapi() when evaluated, so before any schema is built (core/manifest.ts's
// included), as the Worker's own entry has it: zod 4 schemas built earlier would lack it.
import '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import {
  CURRENT_BUNDLE_KEY,
  CURRENT_POINTER_KEY,
  type CurrentPointer,
  CurrentPointerSchema,
  MODEL_FILE,
  versionKey,
} from '../../core/manifest.ts';
import { IMAGE_SIZE, PIXEL_COUNT } from '../../core/model-spec.ts';
import { decodeWeights, type WeightsGroup } from '../../core/weights.ts';
import { createApp } from '../../worker/app.ts';
import { pixelsFromImageBytes } from '../../worker/input/pixels-from-input.ts';
import {
  type LoadedModel,
  type LoadTimings,
  loadModelFromR2,
  R2_READ_TIMEOUT_MS,
  readR2Bytes,
} from '../../worker/model/load-model.ts';
import { prewarm, prewarmTimings } from '../../worker/prewarm.ts';
import { predictImages } from '../../worker/routes/shared.ts';
import { BatchBody, PredictJsonBody } from '../../worker/schemas.ts';
import { readyTfjs, type TfjsStartTimings, tfjsStartTimings } from '../../worker/tfjs-wasm.ts';
import { evaluationStarted } from './evaluation-clock.ts';

// As the Worker's own entry (worker/index.ts) does while workerd loads the script.
const app = createApp();
prewarm(readyTfjs, app);

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

async function readPointer(env: Env): Promise<CurrentPointer> {
  const pointer = await env.MODELS.get(CURRENT_POINTER_KEY);
  if (pointer === null) throw new Error(`${CURRENT_POINTER_KEY} is missing: seed the local bucket`);
  return CurrentPointerSchema.parse(await pointer.json());
}

const currentVersion = async (env: Env): Promise<string> => (await readPointer(env)).version;

/**
 * The cold path in phases, for a fresh isolate's first request: what the app does before its first
 * answer (start tfjs, read the pointer, load and verify the model, predict), each phase timed.
 */
async function coldPhases(env: Env): Promise<Response> {
  const phases: [string, number][] = scriptLoadRows();
  const phase = async <T>(name: string, run: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await run();
    phases.push([name, performance.now() - started]);
    return result;
  };
  const digit = new Float32Array(PIXEL_COUNT).fill(0.5, 300, 400);
  await phase('start tfjs wasm backend', () => readyTfjs());
  const runtime = tfjsStartTimings();
  if (runtime !== null) {
    phases.push(['  of which WebAssembly.instantiate', runtime.instantiateMs]);
    phases.push([
      '  of which the rest of the emscripten module',
      runtime.wasmModuleMs - runtime.instantiateMs,
    ]);
    phases.push(['  of which tfjs backend init (kernels, tf.ready)', runtime.backendMs]);
  }
  // As the registry's cold path: the pointer and the current bundle read together.
  const [pointer, bundle] = await phase('read models/current.json ∥ models/current.bundle', () =>
    Promise.all([readPointer(env), readR2Bytes(env.MODELS, CURRENT_BUNDLE_KEY, R2_READ_TIMEOUT_MS)]),
  );
  const { version, manifestSha256 } = pointer;
  const current = manifestSha256 ? { bundle: Promise.resolve(bundle), manifestSha256 } : undefined;
  const loaded = await phase('load + verify model', () =>
    loadModelFromR2(env.MODELS, version, current ? { current } : {}),
  );
  for (const [name, ms] of loadSteps(loaded.timings)) phases.push([`  of which ${name}`, ms]);
  await phase('first prediction', () => loaded.model.predict(digit, 1));
  await phase('second prediction', () => loaded.model.predict(digit, 1));
  await phase('first batch of 64', () => loaded.model.predict(new Float32Array(64 * PIXEL_COUNT), 64));
  return Response.json({ phases });
}

/** The rows every cold profile opens with: what ran while workerd loaded the script, before any request. */
function scriptLoadRows(): [string, number][] {
  const prewarmed = prewarmTimings();
  const evaluation: [string, number] = [
    'top-level evaluation of the bundle (before any request)',
    evaluationMs,
  ];
  if (prewarmed === null)
    return [evaluation, ['prewarm (worker/prewarm.ts): not finished before this request', 0]];
  return [
    evaluation,
    ['prewarm, also before any request: start tfjs wasm backend', prewarmed.runtimeMs],
    ['prewarm: one load + pixels request on a stand-in model', prewarmed.kernelsMs],
  ];
}

/** loadModelFromR2's own timings, named for the report. */
function loadSteps(timings: LoadTimings): [string, number][] {
  const fromBundle = timings.source === 'bundle';
  return [
    [fromBundle ? 'rest of the bundle read, its manifest checked' : 'read manifest.json', timings.manifestMs],
    [
      fromBundle ? 'model.json + weight shard (in the bundle)' : 'read model.json + weight shard (parallel)',
      timings.filesMs,
    ],
    ['sha256 checks, weight decode and checks', timings.verifyMs],
    ['waiting for the wasm runtime', timings.runtimeWaitMs],
    ['weight tensors into the wasm heap', timings.tensorsMs],
    ['warm-up prediction (XNNPACK operator set-up)', timings.warmUpMs],
  ];
}

/** What the registry logged with `model_switched` (worker/model/model-registry.ts). */
interface SwitchTimings extends LoadTimings {
  readonly pointerMs: number;
  readonly coldMs?: number;
  readonly runtime?: TfjsStartTimings | null;
}

/**
 * A fresh isolate's first requests through the real app: the first POST /api/predict (which starts tfjs
 * and loads the model through the Worker's registry, the two overlapping), then two more. The cold path's
 * parts are the Worker's own figures from its `model_switched` log line, caught here on its way out.
 */
async function coldApp(env: Env, context: ExecutionContext): Promise<Response> {
  const body = JSON.stringify({ pixels: Array.from(new Float32Array(PIXEL_COUNT).fill(0.5, 300, 400)) });
  const phases: [string, number][] = scriptLoadRows();
  const logged: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => {
    logged.push(parts.map(String).join(' '));
    log(...parts);
  };
  let serverTiming = '';
  const request = async (name: string, init?: RequestInit, path = '/api/predict') => {
    const started = performance.now();
    const response = await app.fetch(new Request(`http://bench.local${path}`, init), env, context);
    await response.arrayBuffer();
    phases.push([`${name} (${response.status})`, performance.now() - started]);
    serverTiming ||= response.headers.get('server-timing') ?? '';
  };
  const post = { method: 'POST', body, headers: { 'content-type': 'application/json' } };
  try {
    await request('app: first POST /api/predict, pixels (cold)', post);
  } finally {
    console.log = log;
  }
  const switched = logged
    .map((line) => JSON.parse(line) as { event?: string; timings?: SwitchTimings })
    .find((line) => line.event === 'model_switched')?.timings;
  if (switched !== undefined) {
    const { runtime } = switched;
    if (switched.coldMs !== undefined)
      phases.push(['  of which model ready (runtime ∥ reads, then tensors)', switched.coldMs]);
    if (runtime) {
      phases.push(['    start tfjs wasm backend (alongside the reads)', runtime.totalMs]);
      phases.push(['      WebAssembly.instantiate', runtime.instantiateMs]);
      phases.push(['      rest of the emscripten module', runtime.wasmModuleMs - runtime.instantiateMs]);
      phases.push(['      tfjs backend init (kernels, tf.ready)', runtime.backendMs]);
    }
    phases.push([
      switched.source === 'bundle'
        ? '    read models/current.json (models/current.bundle alongside)'
        : '    read models/current.json',
      switched.pointerMs,
    ]);
    for (const [name, ms] of loadSteps(switched)) phases.push([`    ${name}`, ms]);
  }
  await request('app: second POST /api/predict, pixels', post);
  await request('app: third POST /api/predict, pixels', post);
  return Response.json({ phases, serverTiming });
}

/** A fresh isolate's first prediction op by op (raw ops on the same weights): where its time goes. */
async function coldOps(env: Env): Promise<Response> {
  await readyTfjs();
  const version = await currentVersion(env);
  const json = (await (await env.MODELS.get(versionKey(version, MODEL_FILE)))?.json()) as {
    weightsManifest: WeightsGroup[];
  };
  const shards: Uint8Array[] = [];
  for (const path of json.weightsManifest.flatMap((group) => group.paths)) {
    const object = await env.MODELS.get(versionKey(version, path));
    if (object === null) throw new Error(`${path} is missing`);
    shards.push(new Uint8Array(await object.arrayBuffer()));
  }
  const bytes = new Uint8Array(shards.reduce((total, shard) => total + shard.byteLength, 0));
  let offset = 0;
  for (const shard of shards) {
    bytes.set(shard, offset);
    offset += shard.byteLength;
  }
  const decoded = decodeWeights(json.weightsManifest, bytes);
  const shapes = new Map(
    json.weightsManifest.flatMap((g) => g.weights.map((entry) => [entry.name, entry.shape] as const)),
  );
  // Made once, as the Worker does: tfjs-wasm caches its XNNPACK operators per weight tensor.
  const tensors = new Map(
    [...decoded].map(([name, values]) => [name, tf.tensor(values, [...(shapes.get(name) ?? [])])]),
  );
  const w = (name: string) => tensors.get(name) as tf.Tensor;
  const calls: [string, number][] = [];
  const op = <T>(name: string, run: () => T): T => {
    const started = performance.now();
    const result = run();
    calls.push([name, performance.now() - started]);
    return result;
  };
  for (const pass of ['first', 'second']) {
    const x = op(`${pass}: input tensor`, () =>
      tf.tensor4d(new Float32Array(PIXEL_COUNT), [1, IMAGE_SIZE, IMAGE_SIZE, 1]),
    );
    const c1 = op(`${pass}: conv1 (fused, bias, ReLU)`, () =>
      tf.fused.conv2d({
        x,
        filter: w('conv1/kernel') as tf.Tensor4D,
        bias: w('conv1/bias'),
        strides: 1,
        pad: 'same',
        activation: 'relu',
      }),
    );
    const p1 = op(`${pass}: maxPool 1`, () => tf.maxPool(c1, 2, 2, 'valid'));
    const c2 = op(`${pass}: conv2 (fused, bias, ReLU)`, () =>
      tf.fused.conv2d({
        x: p1,
        filter: w('conv2/kernel') as tf.Tensor4D,
        bias: w('conv2/bias'),
        strides: 1,
        pad: 'same',
        activation: 'relu',
      }),
    );
    const p2 = op(`${pass}: maxPool 2`, () => tf.maxPool(c2, 2, 2, 'valid'));
    const flat = op(`${pass}: reshape`, () => tf.reshape(p2, [1, -1]) as tf.Tensor2D);
    const h = op(`${pass}: dense1 (fused matMul, bias, ReLU)`, () =>
      tf.fused.matMul({
        a: flat,
        b: w('dense1/kernel') as tf.Tensor2D,
        bias: w('dense1/bias'),
        activation: 'relu',
      }),
    );
    const logits = op(`${pass}: dense2 (fused matMul, bias)`, () =>
      tf.fused.matMul({ a: h, b: w('dense2/kernel') as tf.Tensor2D, bias: w('dense2/bias') }),
    );
    const p = op(`${pass}: softmax`, () => tf.softmax(logits));
    op(`${pass}: dataSync`, () => p.dataSync());
  }
  return Response.json({ calls });
}

/**
 * Prototype of a cheaper pixel check for the Worker's schemas: the same rule as
 * `z.array(z.number().min(0).max(1)).length(784)`, in one loop instead of a zod check per element.
 */
export function isPixelArray(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length !== PIXEL_COUNT) return false;
  for (let i = 0; i < PIXEL_COUNT; i++) {
    const pixel = value[i];
    if (typeof pixel !== 'number' || !(pixel >= 0 && pixel <= 1)) return false;
  }
  return true;
}

/** Rounds of the request profile (see requestProfile). */
const PROFILE_ROUNDS = 10;

interface ProfilePlan {
  /** One digit, base64 of a Float32Array. */
  readonly pixels: string;
  /** A PNG upload body, base64. */
  readonly png: string;
  readonly repeat: number;
}

/**
 * Where a warm request's time goes: the whole request through the app in this isolate (no HTTP), and its
 * parts one at a time (JSON parsing, zod validation, image decoding, the model), each repeated in a block.
 */
async function requestProfile(request: Request, env: Env, context: ExecutionContext): Promise<Response> {
  const plan = (await request.json()) as ProfilePlan;
  const digit = decodePixels(plan.pixels);
  const png = Uint8Array.from(atob(plan.png), (char) => char.charCodeAt(0));
  const pixelsBody = JSON.stringify({ pixels: Array.from(digit) });
  const batchBody = JSON.stringify({
    images: Array.from({ length: 64 }, () => ({ pixels: Array.from(digit) })),
  });
  const loaded = await benchModel(env);
  const { model: fused } = loaded;
  // As over HTTP, where clients send a fixed body with its Content-Length (a Request built here has none,
  // and hono's body limit would then read the body through a stream in JavaScript).
  const serverTimings = new Map<string, number>();
  let serverTimingCount = 0;
  const through = (path: string, body?: string | Uint8Array, type?: string, length = true) => {
    const headers: Record<string, string> = { 'content-type': type ?? '' };
    if (body !== undefined && length)
      headers['content-length'] = String(
        typeof body === 'string' ? new TextEncoder().encode(body).byteLength : body.byteLength,
      );
    const init: RequestInit = body === undefined ? {} : { method: 'POST', body, headers };
    const pixelRequest = path === '/api/predict' && type === 'application/json' && length;
    return async () => {
      const response = await app.fetch(new Request(`http://bench.local${path}`, init), env, context);
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
      if (!pixelRequest) return;
      // The app's own Server-Timing (1 ms steps each, so only their means over many requests say much).
      for (const [, name, ms] of (response.headers.get('server-timing') ?? '').matchAll(
        /(\w+);dur=([\d.]+)/g,
      ))
        serverTimings.set(name as string, (serverTimings.get(name as string) ?? 0) + Number(ms));
      serverTimingCount++;
    };
  };
  const parsedPixels = JSON.parse(pixelsBody) as unknown;
  const parsedBatch = JSON.parse(batchBody) as unknown;
  const steps: [string, () => unknown][] = [
    ['app: GET /api/health/live (the global middleware, a tiny JSON answer)', through('/api/health/live')],
    ['app: GET /api/health', through('/api/health')],
    ['app: GET /api/model', through('/api/model')],
    ['app: POST /api/predict, pixels', through('/api/predict', pixelsBody, 'application/json')],
    [
      'app: POST /api/predict, pixels, no Content-Length (body read as a stream)',
      through('/api/predict', pixelsBody, 'application/json', false),
    ],
    ['app: POST /api/predict, PNG', through('/api/predict', png, 'image/png')],
    [
      'app: POST /api/predict/batch, 64 pixel digits',
      through('/api/predict/batch', batchBody, 'application/json'),
    ],
    ['part: JSON.parse of a pixels body', () => JSON.parse(pixelsBody)],
    ['part: PredictJsonBody.safeParse (784 pixels)', () => PredictJsonBody.safeParse(parsedPixels)],
    [
      'part: PredictJsonBody.safeParseAsync (as @hono/zod-validator calls it)',
      () => PredictJsonBody.safeParseAsync(parsedPixels),
    ],
    [
      'prototype: one loop checking 784 pixels (no zod per element)',
      () => isPixelArray((parsedPixels as { pixels: unknown }).pixels),
    ],
    ['part: JSON.parse of a 64-digit batch body', () => JSON.parse(batchBody)],
    ['part: BatchBody.safeParse (64 × 784 pixels)', () => BatchBody.safeParse(parsedBatch)],
    ['part: BatchBody.safeParseAsync (64 × 784 pixels)', () => BatchBody.safeParseAsync(parsedBatch)],
    [
      'prototype: one loop per image checking 64 × 784 pixels',
      () =>
        (parsedBatch as { images: { pixels: unknown }[] }).images.every((image) =>
          isPixelArray(image.pixels),
        ),
    ],
    ['part: PNG decode + preprocess (pixelsFromImageBytes)', () => pixelsFromImageBytes(png)],
    [
      'part: a Request with a pixels body, read with request.json()',
      () =>
        new Request('http://bench.local/api/predict', {
          method: 'POST',
          body: pixelsBody,
          headers: { 'content-type': 'application/json' },
        }).json(),
    ],
    ['part: model, 1 digit', () => fused.predict(digit, 1)],
    ['part: model outputs, 1 digit (logits and penultimate read back)', () => fused.outputs(digit, 1)],
    [
      'part: predictImages (outputs, calibrated softmax, digit detector)',
      () => predictImages(loaded, digit, 1),
    ],
    ['part: JSON.stringify of the answer', () => JSON.stringify(answer)],
    [
      "parts together: the pixels route's own work (parse, validate, copy, model)",
      () => {
        const input = PredictJsonBody.parse(JSON.parse(pixelsBody));
        if ('pixels' in input) fused.predict(Float32Array.from(input.pixels), 1);
      },
    ],
    ['app again: POST /api/predict, pixels', through('/api/predict', pixelsBody, 'application/json')],
  ];
  const answer = { ...predictImages(loaded, digit, 1)[0], model: { version: loaded.version } };
  const closeWithIo = !clockAdvancesWithoutIo();
  for (const [, step] of steps) for (let i = 0; i < 20; i++) await step(); // warm-up: JIT, XNNPACK operators
  serverTimings.clear();
  serverTimingCount = 0;
  // In rounds, each step a block of calls per round, so that a shared machine's changing load falls on
  // every step alike (the whole request and its parts are compared with each other).
  const perRound = Math.max(1, Math.round(plan.repeat / PROFILE_ROUNDS));
  const spent = new Array<number>(steps.length).fill(0);
  for (let round = 0; round < PROFILE_ROUNDS; round++) {
    for (const [index, [, step]] of steps.entries()) {
      await tick();
      const started = performance.now();
      for (let i = 0; i < perRound; i++) await step();
      if (closeWithIo) await tick();
      spent[index] = (spent[index] as number) + performance.now() - started;
    }
  }
  const results: [string, number][] = steps.map(([name], index) => [
    name,
    (spent[index] as number) / (perRound * PROFILE_ROUNDS),
  ]);
  for (const [name, total] of serverTimings)
    results.push([`Server-Timing of the pixels requests above, mean: ${name}`, total / serverTimingCount]);
  return Response.json({ steps: results, repeat: perRound * PROFILE_ROUNDS, rounds: PROFILE_ROUNDS });
}

/** The bundle's top-level evaluation: every module's body, the app's routes and schemas included. */
const evaluationMs = performance.now() - evaluationStarted;

export default {
  async fetch(request, env, context) {
    const { pathname } = new URL(request.url);
    if (pathname === '/api/health') return new Response('bench entry: tfjs not started by this probe\n');
    if (request.method === 'POST' && pathname === '/bench/inference') return inference(request, env);
    if (request.method === 'POST' && pathname === '/bench/memory') return memory(request, env, context);
    if (pathname === '/bench/memory') return Response.json(memoryFigures());
    if (pathname === '/bench/cold-phases') return coldPhases(env);
    if (request.method === 'POST' && pathname === '/bench/request-profile')
      return requestProfile(request, env, context);
    if (pathname === '/bench/cold-ops') return coldOps(env);
    if (pathname === '/bench/cold-app') return coldApp(env, context);
    return app.fetch(request, env, context);
  },
} satisfies ExportedHandler<Env>;
