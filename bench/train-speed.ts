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
import { DataParallelTrainer } from '../training/parallel.ts';
import { createRandom } from '../training/random.ts';

export interface TrainingSpeed {
  readonly kernels: KernelSet;
  /** 1: tfjs's trainOnBatch; more: data-parallel (`npm run train -- --threads N`, training/parallel.ts). */
  readonly threads: number;
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
  const parallel = await DataParallelTrainer.start(tf, model, PARALLEL_THREADS);
  const step = async (threads: number) => {
    const batch = makeBatch(train, order, cursor, BATCH, { random, options: DEFAULT_AUGMENT });
    cursor = (cursor + BATCH) % (order.length - BATCH);
    if (threads > 1) {
      await parallel.step(batch, cursor);
      return;
    }
    const xs = tf.tensor4d(batch.pixels, [batch.size, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const ys = tf.tensor2d(batch.oneHot, [batch.size, CLASS_COUNT]);
    await model.trainOnBatch(xs, ys);
    tf.dispose([xs, ys]);
  };
  // The workers always run the optimised kernels: data-parallel is measured with them only.
  const setups = [
    { kernels: 'baseline', threads: 1 },
    { kernels: 'optimised', threads: 1 },
    { kernels: 'optimised', threads: PARALLEL_THREADS },
  ] as const;
  const timings = setups.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, { kernels, threads }] of setups.entries()) {
      registerTrainingKernels(kernels);
      await step(threads); // warm-up: XNNPACK operators, JIT
      for (let b = 0; b < batchesPerRound; b++) {
        const started = performance.now();
        await step(threads);
        timings[index]?.push(performance.now() - started);
      }
    }
  }
  registerTrainingKernels('optimised');
  await parallel.close();
  model.dispose();
  return setups.map(({ kernels, threads }, index) => {
    const msPerBatch = median(timings[index] as number[]);
    return {
      kernels,
      threads,
      msPerBatch,
      secondsPerEpoch: (msPerBatch * Math.ceil(EPOCH_DIGITS / BATCH)) / 1000,
      samples: (timings[index] as number[]).length,
    };
  });
}

/** Threads of the data-parallel measurement: the 2 cores the project's machines have. */
const PARALLEL_THREADS = 2;

export function formatTrainingSpeed(results: readonly TrainingSpeed[]): string {
  const lines = [
    '| kernels | threads | ms per batch of 128 (median) | projected s per epoch (55,000 digits) | batches timed |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    lines.push(
      `| ${r.kernels} | ${r.threads} | ${r.msPerBatch.toFixed(0)} | ${r.secondsPerEpoch.toFixed(0)} | ${r.samples} |`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const results = await measureTrainingSpeed();
  console.log(formatTrainingSpeed(results));
  const [baseline, optimised, parallel] = results;
  if (baseline && optimised && parallel) {
    console.log(
      `\noptimised kernels: ${(baseline.msPerBatch / optimised.msPerBatch).toFixed(2)}× the baseline; ` +
        `on ${parallel.threads} threads: ${(optimised.msPerBatch / parallel.msPerBatch).toFixed(2)}× one thread; ` +
        `target ≤ 120 s per epoch: ${parallel.secondsPerEpoch <= 120 ? 'met' : 'missed'}`,
    );
  }
}
