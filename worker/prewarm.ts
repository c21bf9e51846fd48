/**
 * Work done while workerd loads the script, before any request: on Cloudflare that happens while the
 * TLS handshake of the first connection is still running. A fresh isolate's first request otherwise pays
 * for compiling (and running unoptimised) every function it touches for the first time. So this runs the
 * request path once, minus its I/O, on stand-in data:
 * - Hono's router builds its matchers (it does so lazily, on the first match);
 * - a stand-in model of the served architecture goes through the real load (manifest schema,
 *   `verifyModelFiles`: sha256, weight decoding, shapes) and the kernels, and a pixels body through the
 *   request schema and `interpretPrediction` with a stand-in detector;
 * - the first log line (workerd compiles its console formatting on first use).
 * Requests cannot go through the app here: workerd's global scope refuses a Request with a body, and
 * the app's handling of even a bodiless GET (tried; the bench's cold profile shows such a failure as
 * "prewarm not finished").
 * The first request then only reads, checks and sets up its real model. Global scope allows no I/O and
 * no timers; nothing here needs them. Nothing it makes outlives it (no tensor, no registry entry).
 */

import { FEATURE_COUNT } from '../core/confidence.ts';
import { type FileEntry, MODEL_FILE, type ModelManifest, SHARD_FILE } from '../core/manifest.ts';
import { CLASS_COUNT, elementCount, PIXEL_COUNT, WEIGHT_SPECS } from '../core/model-spec.ts';
import { sha256Hex } from '../core/sha256.ts';
import { logEvent } from './log.ts';
import { createFusedModel } from './model/fused-model.ts';
import { parseStoredManifest, verifyModelFiles } from './model/verify-weights.ts';
import { predictImages } from './routes/shared.ts';
import { PredictJsonBody } from './schemas.ts';
import type { TfjsStarter } from './tfjs-wasm.ts';

/** Milliseconds of the last prewarm (performance.now()), or null before one has finished. */
let lastPrewarm: { readonly runtimeMs: number; readonly kernelsMs: number } | null = null;
export const prewarmTimings = () => lastPrewarm;

const STAND_IN_VERSION = 'prewarm';

/** The part of the app the prewarm touches. */
export interface PrewarmedApp {
  readonly router: { match(method: string, path: string): unknown };
}

/** model.json and a zero shard in the served layout: kernels uint8-quantised, biases float32. */
function standInFiles(): Map<string, Uint8Array> {
  let shardBytes = 0;
  const weights = WEIGHT_SPECS.map((spec) => {
    const quantised = spec.name.endsWith('/kernel');
    shardBytes += elementCount(spec.shape) * (quantised ? 1 : 4);
    return {
      name: spec.name,
      shape: spec.shape,
      dtype: 'float32',
      ...(quantised ? { quantization: { dtype: 'uint8', min: -0.5, scale: 1 / 255 } } : {}),
    };
  });
  const modelJson = { weightsManifest: [{ paths: [SHARD_FILE], weights }] };
  return new Map([
    [MODEL_FILE, new TextEncoder().encode(JSON.stringify(modelJson))],
    [SHARD_FILE, new Uint8Array(shardBytes)],
  ]);
}

/** A manifest the schema accepts, every section present, naming `files`. */
function standInManifest(files: FileEntry[]): ModelManifest {
  const zeros = (count: number) => Array.from({ length: count }, () => 0);
  const metrics = {
    accuracy: 0,
    perClassAccuracy: zeros(CLASS_COUNT),
    confusion: [zeros(CLASS_COUNT)],
    weightBytes: 0,
  };
  return {
    format: 'digit-edge-model/1',
    version: STAND_IN_VERSION,
    createdAt: '',
    precision: 'uint8',
    parameters: 0,
    files,
    training: {
      epochs: 1,
      batchSize: 1,
      learningRate: 0,
      seed: 0,
      augment: false,
      trainExamples: 0,
      validationExamples: 0,
      bestEpoch: 1,
      seconds: 0,
      backend: '',
    },
    history: [{ epoch: 1, loss: 0, accuracy: 0, valLoss: 0, valAccuracy: 0, learningRate: 0, seconds: 0 }],
    test: { float32: metrics, float16: metrics, uint8: metrics },
    calibration: {
      temperature: 1,
      uncertainBelow: 0.5,
      validationUncertainShare: 0,
      test: { eceBefore: 0, eceAfter: 0, bins: 1, uncertainShare: 0, accuracyWhenSure: 0 },
    },
    digitDetector: {
      kind: 'mlp-hidden-energy-ink/1',
      mean: zeros(FEATURE_COUNT),
      scale: zeros(FEATURE_COUNT).map(() => 1),
      hiddenWeights: zeros(FEATURE_COUNT),
      hiddenBias: [0],
      weights: [0],
      bias: 0,
      threshold: 0,
      metrics: {
        validationDigitsFlagged: 0,
        testDigitsFlagged: 0,
        nonDigitsFlagged: 0,
        nonDigitCount: 0,
        nonDigitsFlaggedByKind: {},
      },
    },
  };
}

/** One model load and one pixels request of the served model, on stand-in data and without I/O. */
async function standInPrediction(): Promise<void> {
  const files = standInFiles();
  const entries: FileEntry[] = [];
  for (const [path, bytes] of files)
    entries.push({ path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
  const manifest = parseStoredManifest(JSON.stringify(standInManifest(entries)), STAND_IN_VERSION);
  const weights = await verifyModelFiles(manifest, async (path) => files.get(path));
  const body = PredictJsonBody.parse({ pixels: Array.from({ length: PIXEL_COUNT }, () => 0) });
  const model = createFusedModel(weights);
  try {
    if ('pixels' in body) predictImages({ manifest, model }, new Float32Array(body.pixels), 1);
  } finally {
    model.dispose();
  }
}

/** Builds the router, starts `runtime` early and runs the stand-in prediction; never throws. */
export function prewarm(runtime: TfjsStarter, app: PrewarmedApp): void {
  const started = performance.now();
  try {
    runtime
      .early()
      .then(async () => {
        const ready = performance.now();
        await standInPrediction();
        lastPrewarm = { runtimeMs: ready - started, kernelsMs: performance.now() - ready };
        // Also the isolate's first log line: workerd formats console output with JavaScript of its own,
        // compiled on first use (about 4 ms), which the first request's log line would otherwise pay.
        logEvent('info', 'isolate_prewarmed', { timings: lastPrewarm });
      })
      .catch((error: unknown) => {
        logEvent('warn', 'isolate_prewarm_failed', { error });
      });
    // Hono's RegExpRouter compiles every route into its matchers on the first match.
    app.router.match('POST', '/api/predict');
  } catch {
    // Whatever fails here, the first request starts the runtime itself (and reports a failure).
  }
}
