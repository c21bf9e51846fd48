/** Training speed, measured by the lead's bench/train-speed.ts (optimised kernels vs the plain baseline). */

import { type BenchRow, formatNumber, type SectionResult, verdictAtMost } from './lib/report.ts';
import { formatTrainingSpeed, measureTrainingSpeed, type TrainingSpeed } from './train-speed.ts';

const EPOCH_SECONDS_TARGET = 120;

export const measureTraining = (quick: boolean): Promise<TrainingSpeed[]> =>
  measureTrainingSpeed(quick ? { rounds: 1, batchesPerRound: 2 } : {});

export function trainingSection(results: readonly TrainingSpeed[]): SectionResult {
  const area = 'Training (wasm, Node)';
  const fastest = Math.min(...results.map((r) => r.msPerBatch));
  const rows: BenchRow[] = results.map((r) => ({
    area,
    figure: `${r.kernels} kernels${r.threads > 1 ? `, data-parallel on ${r.threads} threads` : ''}: ms per batch of 128 → s per epoch`,
    value: `${formatNumber(r.msPerBatch)} ms → ${formatNumber(r.secondsPerEpoch)} s`,
    // The target is the operator's: an epoch as they can train it (`npm run train -- --threads 2`).
    ...(r.msPerBatch === fastest
      ? {
          target: `≤ ${EPOCH_SECONDS_TARGET} s per epoch`,
          verdict: verdictAtMost(r.secondsPerEpoch, EPOCH_SECONDS_TARGET),
        }
      : {}),
  }));
  const baseline = results.find((r) => r.kernels === 'baseline');
  const optimised = results.find((r) => r.kernels === 'optimised' && r.threads === 1);
  const parallel = results.find((r) => r.threads > 1);
  const speedUp =
    (baseline && optimised
      ? ` The optimised kernels run a batch ${formatNumber(baseline.msPerBatch / optimised.msPerBatch, 2)}× as fast as the baseline.`
      : '') +
    (optimised && parallel
      ? ` Data-parallel on ${parallel.threads} threads, a batch runs ${formatNumber(optimised.msPerBatch / parallel.msPerBatch, 2)}× as fast as on one.`
      : '');
  const details = `\`measureTrainingSpeed()\` from \`bench/train-speed.ts\` (also \`npm run bench:train\`): one training step is
augmentation, forward, backward and Adam on a batch of 128 MNIST digits with \`model.trainOnBatch\` on the wasm
backend, timed with the project's optimised gradient kernels and with the plain registered-kernel baseline, and
with the optimised kernels data-parallel (\`npm run train -- --threads 2\`: the batch split in two, one half's
gradient computed in a worker thread, averaged, one Adam step), alternately in rounds after a warm-up step each;
the epoch projection is 55,000 digits.${speedUp}

${formatTrainingSpeed(results)}`;
  return { title: 'Training speed', rows, details };
}
