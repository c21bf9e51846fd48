/**
 * `npm run bench:train`: milliseconds per training batch of 128 (augmentation + forward + backward + Adam)
 * on the wasm backend, with our optimised kernels and with the plain registered-kernel baseline, measured
 * alternately in one run so machine noise hits both alike; plus the projected seconds per 55,000-digit epoch.
 */
import { pathToFileURL } from 'node:url';
import { CLASS_COUNT, IMAGE_SIZE } from '../core/model-spec.ts';
import { DEFAULT_AUGMENT } from '../training/augment.ts';
import { useWasmForTraining } from '../training/backend.ts';
import { makeBatch } from '../training/batches.ts';
import { type KernelSet, registerTrainingKernels } from '../training/kernels/register.ts';
import { loadMnistTrain, splitTrainValidation } from '../training/mnist.ts';
import { compileModel, createModel } from '../training/model.ts';
import { createRandom } from '../training/random.ts';

export interface TrainingSpeed {
  readonly kernels: KernelSet;
  readonly msPerBatch: number;
  readonly secondsPerEpoch: number;
  readonly samples: number;
}

const BATCH = 128;
const EPOCH_DIGITS = 55_000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

export async function measureTrainingSpeed({
  rounds = 3,
  batchesPerRound = 6,
} = {}): Promise<TrainingSpeed[]> {
  const tf = await useWasmForTraining();
  const { train } = splitTrainValidation(await loadMnistTrain(), 5000);
  const model = createModel();
  compileModel(model, 1e-3);
  const random = createRandom(1);
  const order = Uint32Array.from({ length: train.indices.length }, (_, i) => i);
  let cursor = 0;
  const step = async () => {
    const batch = makeBatch(train, order, cursor, BATCH, { random, options: DEFAULT_AUGMENT });
    cursor = (cursor + BATCH) % (order.length - BATCH);
    const xs = tf.tensor4d(batch.pixels, [batch.size, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const ys = tf.tensor2d(batch.oneHot, [batch.size, CLASS_COUNT]);
    await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  };
  const timings: Record<KernelSet, number[]> = { optimised: [], baseline: [] };
  for (let round = 0; round < rounds; round++) {
    for (const kernels of ['baseline', 'optimised'] as const) {
      registerTrainingKernels(kernels);
      await step(); // warm-up: XNNPACK operators, JIT
      for (let b = 0; b < batchesPerRound; b++) {
        const started = performance.now();
        await step();
        timings[kernels].push(performance.now() - started);
      }
    }
  }
  registerTrainingKernels('optimised');
  model.dispose();
  return (['baseline', 'optimised'] as const).map((kernels) => {
    const msPerBatch = median(timings[kernels]);
    return {
      kernels,
      msPerBatch,
      secondsPerEpoch: (msPerBatch * Math.ceil(EPOCH_DIGITS / BATCH)) / 1000,
      samples: timings[kernels].length,
    };
  });
}

export function formatTrainingSpeed(results: readonly TrainingSpeed[]): string {
  const lines = [
    '| kernels | ms per batch of 128 (median) | projected s per epoch (55,000 digits) | batches timed |',
    '|---|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.kernels} | ${r.msPerBatch.toFixed(0)} | ${r.secondsPerEpoch.toFixed(0)} | ${r.samples} |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await measureTrainingSpeed();
  console.log(formatTrainingSpeed(results));
  const [baseline, optimised] = results;
  if (baseline && optimised) {
    console.log(
      `\noptimised kernels: ${(baseline.msPerBatch / optimised.msPerBatch).toFixed(2)}× the baseline; target ≤ 120 s per epoch: ${optimised.secondsPerEpoch <= 120 ? 'met' : 'missed'}`,
    );
  }
}
