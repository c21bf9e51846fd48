/**
 * The floor: the committed model run as raw fused tfjs ops (fused conv2d with bias + ReLU, maxPool, fused
 * matMul, softmax) in Node, on the wasm backend (the SIMD binary, one thread: what the Worker runs) and on
 * the plain `cpu` backend for scale. Each timing covers input tensor → probabilities read back.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { IMAGE_SIZE, PIXEL_COUNT } from '../core/model-spec.ts';
import type { CommittedModel } from './lib/committed-model.ts';
import type { Digits } from './lib/mnist-inputs.ts';
import { formatMs, formatNumber, markdownTable, type SectionResult } from './lib/report.ts';
import { type Summary, scaleSummary, summarise } from './lib/stats.ts';

export const FLOOR_BATCH = 64;

export interface BackendFloor {
  readonly backend: 'wasm' | 'cpu';
  /** Per prediction of one digit. */
  readonly single: Summary;
  /** Every single-digit timing, in order (for block means comparable with workerd's). */
  readonly singleSamples: readonly number[];
  /** Per digit, timing whole batches of FLOOR_BATCH and dividing. */
  readonly perDigitInBatch: Summary;
}

export interface FloorResult {
  readonly wasm: BackendFloor;
  readonly cpu: BackendFloor;
  readonly multiplyAdds: number;
  readonly accuracyCheck: { readonly correct: number; readonly of: number };
}

type Predict = (pixels: Float32Array, count: number) => Float32Array;

/** The model as raw ops on weights held as tensors of the current backend. */
function rawFusedModel(model: CommittedModel): { predict: Predict; dispose(): void } {
  const weight = (name: string) => {
    const entry = model.weights.get(name);
    if (entry === undefined) throw new Error(`no weight ${name}`);
    return tf.keep(tf.tensor(entry.values, [...entry.shape]));
  };
  const conv1 = weight('conv1/kernel') as tf.Tensor4D;
  const bias1 = weight('conv1/bias');
  const conv2 = weight('conv2/kernel') as tf.Tensor4D;
  const bias2 = weight('conv2/bias');
  const dense1 = weight('dense1/kernel') as tf.Tensor2D;
  const bias3 = weight('dense1/bias');
  const dense2 = weight('dense2/kernel') as tf.Tensor2D;
  const bias4 = weight('dense2/bias');
  const predict: Predict = (pixels, count) =>
    tf.tidy(() => {
      const x = tf.tensor4d(pixels, [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
      const c1 = tf.fused.conv2d({
        x,
        filter: conv1,
        bias: bias1,
        strides: 1,
        pad: 'same',
        activation: 'relu',
      });
      const p1 = tf.maxPool(c1, 2, 2, 'valid');
      const c2 = tf.fused.conv2d({
        x: p1,
        filter: conv2,
        bias: bias2,
        strides: 1,
        pad: 'same',
        activation: 'relu',
      });
      const p2 = tf.maxPool(c2, 2, 2, 'valid');
      const flat = tf.reshape(p2, [count, -1]) as tf.Tensor2D;
      const hidden = tf.fused.matMul({ a: flat, b: dense1, bias: bias3, activation: 'relu' });
      const logits = tf.fused.matMul({ a: hidden, b: dense2, bias: bias4 });
      return tf.softmax(logits).dataSync() as Float32Array;
    });
  return {
    predict,
    dispose: () => tf.dispose([conv1, bias1, conv2, bias2, dense1, bias3, dense2, bias4]),
  };
}

/** Multiply-adds of one prediction: two 3×3 same convolutions and two dense layers. */
function multiplyAddsPerDigit(model: CommittedModel): number {
  const shape = (name: string) => model.weights.get(name)?.shape ?? [];
  const [kh = 0, kw = 0, c1in = 0, c1out = 0] = shape('conv1/kernel');
  const [, , c2in = 0, c2out = 0] = shape('conv2/kernel');
  const [d1in = 0, d1out = 0] = shape('dense1/kernel');
  const [d2in = 0, d2out = 0] = shape('dense2/kernel');
  const half = IMAGE_SIZE / 2;
  return (
    IMAGE_SIZE * IMAGE_SIZE * c1out * kh * kw * c1in +
    half * half * c2out * kh * kw * c2in +
    d1in * d1out +
    d2in * d2out
  );
}

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

interface FloorPlan {
  readonly singles: number;
  readonly batches: number;
}

/** Floor timings taken in rounds, so they can be interleaved with other measurements. */
export interface FloorMeter {
  /** Times `plan.singles` one-digit predictions, then `plan.batches` batches of FLOOR_BATCH. */
  round(plan: FloorPlan): void;
  result(): BackendFloor;
  dispose(): void;
}

/** Starts `backend`, builds the model on it and warms it up (XNNPACK operators, JIT). */
export async function createFloorMeter(
  backend: 'wasm' | 'cpu',
  model: CommittedModel,
  pixels: Float32Array,
  warmUp: number,
): Promise<FloorMeter> {
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs could not start its ${backend} backend`);
  await tf.ready();
  const raw = rawFusedModel(model);
  const digitCount = pixels.length / PIXEL_COUNT;
  const digit = (i: number) =>
    pixels.subarray((i % digitCount) * PIXEL_COUNT, ((i % digitCount) + 1) * PIXEL_COUNT);
  const batch = pixels.subarray(0, FLOOR_BATCH * PIXEL_COUNT);
  for (let i = 0; i < warmUp; i++) raw.predict(digit(i), 1);
  raw.predict(batch, FLOOR_BATCH);
  const singles: number[] = [];
  const batches: number[] = [];
  return {
    round(plan) {
      if (tf.getBackend() !== backend) throw new Error(`the floor meter needs the ${backend} backend active`);
      for (let i = 0; i < plan.singles; i++) singles.push(time(() => raw.predict(digit(i), 1)));
      for (let i = 0; i < plan.batches; i++) batches.push(time(() => raw.predict(batch, FLOOR_BATCH)));
    },
    result: () => ({
      backend,
      single: summarise(singles),
      singleSamples: [...singles],
      perDigitInBatch: scaleSummary(summarise(batches), FLOOR_BATCH),
    }),
    dispose: () => raw.dispose(),
  };
}

async function measureBackend(
  backend: 'wasm' | 'cpu',
  model: CommittedModel,
  pixels: Float32Array,
  plan: FloorPlan & { readonly warmUp: number; readonly rounds: number },
): Promise<BackendFloor> {
  const meter = await createFloorMeter(backend, model, pixels, plan.warmUp);
  // Alternate the two kinds in rounds so slow phases of a shared machine hit both alike.
  for (let round = 0; round < plan.rounds; round++) meter.round(plan);
  meter.dispose();
  return meter.result();
}

/** Checks the raw ops compute the model (not just something equally fast): accuracy on real digits. */
function checkAccuracy(
  model: CommittedModel,
  pixels: Float32Array,
  labels: Uint8Array,
): { correct: number; of: number } {
  const raw = rawFusedModel(model);
  const count = labels.length;
  const probabilities = raw.predict(pixels.subarray(0, count * PIXEL_COUNT), count);
  raw.dispose();
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const row = probabilities.subarray(i * 10, i * 10 + 10);
    if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
  }
  return { correct, of: count };
}

export async function measureFloor(
  model: CommittedModel,
  digits: Digits,
  quick: boolean,
): Promise<FloorResult> {
  const wasm = await measureBackend(
    'wasm',
    model,
    digits.pixels,
    quick
      ? { warmUp: 30, singles: 100, batches: 10, rounds: 2 }
      : { warmUp: 200, singles: 500, batches: 40, rounds: 5 },
  );
  const accuracyCheck = checkAccuracy(model, digits.pixels, digits.labels);
  const cpu = await measureBackend(
    'cpu',
    model,
    digits.pixels,
    quick
      ? { warmUp: 2, singles: 5, batches: 1, rounds: 1 }
      : { warmUp: 3, singles: 15, batches: 1, rounds: 2 },
  );
  await tf.setBackend('wasm');
  return { wasm, cpu, multiplyAdds: multiplyAddsPerDigit(model), accuracyCheck };
}

export function floorSection(result: FloorResult): SectionResult {
  const { wasm, cpu } = result;
  const area = 'Floor (Node, raw fused ops)';
  const rows = [
    {
      area,
      figure: 'wasm, 1 digit, median / p99',
      value: `${formatMs(wasm.single.median)} / ${formatMs(wasm.single.p99)}`,
    },
    {
      area,
      figure: `wasm, per digit in a batch of ${FLOOR_BATCH}, median / p99`,
      value: `${formatMs(wasm.perDigitInBatch.median)} / ${formatMs(wasm.perDigitInBatch.p99)}`,
    },
    { area, figure: 'cpu backend, 1 digit, median', value: formatMs(cpu.single.median) },
    {
      area,
      figure: `cpu backend, per digit in a batch of ${FLOOR_BATCH}, median`,
      value: formatMs(cpu.perDigitInBatch.median),
    },
  ];
  const line = (floor: BackendFloor, kind: 'single' | 'perDigitInBatch', label: string) => {
    const s = floor[kind];
    return [
      floor.backend,
      label,
      String(s.count),
      formatMs(s.median),
      formatMs(s.p99),
      formatMs(s.min),
      formatMs(s.mean),
    ];
  };
  const details = `The committed model (${formatNumber(result.multiplyAdds / 1e6, 2)} million multiply-adds a digit) run in this
Node process as raw fused tfjs ops: \`tf.fused.conv2d\` with bias and ReLU, \`tf.maxPool\`, \`tf.fused.matMul\`
and \`tf.softmax\`, from a Float32Array input tensor to the probabilities read back with \`dataSync\`. The wasm
backend runs its SIMD binary on one thread in Node (the package never picks its threaded binary there), the
same binary the Worker bundles. Each timing is \`performance.now()\` around one call; batches are timed whole
and divided by ${FLOOR_BATCH}. Single digits and batches alternate in rounds. As a check that the ops compute
the model, it classified ${result.accuracyCheck.correct} of the first ${result.accuracyCheck.of} MNIST test digits correctly.

${markdownTable(
  ['Backend', 'Figure', 'Samples', 'Median', 'p99', 'Min', 'Mean'],
  [
    line(wasm, 'single', '1 digit'),
    line(wasm, 'perDigitInBatch', `per digit, batch ${FLOOR_BATCH}`),
    line(cpu, 'single', '1 digit'),
    line(cpu, 'perDigitInBatch', `per digit, batch ${FLOOR_BATCH}`),
  ],
  [2, 3, 4, 5, 6],
)}

The wasm backend is ${formatNumber(cpu.single.median / wasm.single.median, 0)}× faster than the plain \`cpu\` backend for one digit.`;
  return { title: 'Floor: the model as raw fused ops in Node', rows, details };
}
