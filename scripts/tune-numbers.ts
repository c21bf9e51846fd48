/**
 * Fast Node-level loop for tuning the number segmentation (`npx tsx scripts/tune-numbers.ts --count 200 --verbose`):
 * generated numbers on the TUNING seed only, through the same extraction and segmentation as POST /api/read,
 * classified by the committed model on the tfjs CPU backend (no workerd, no PNG round trip). The held-out
 * seed is for `npm run bench -- --only numbers` and is never read here. `--diagnose` tallies where the
 * misses are (scripts/lib/diagnose-reading.ts), whether the number's right reading was among the
 * candidate paths at all (if not, no weighing of the candidates could have read it), and for each missed
 * digit whether a candidate box of its own was offered and how it read. `--seed N` (any but the
 * held-out 2) and `--first I --digits N` (MNIST test digits I to I+N−1, I ≥ 1000) check that a change holds
 * beyond the numbers it was tuned on; `--touching 0.5` pushes half of the neighbouring pairs together, for
 * touching pairs in bulk.
 */
// The full tfjs package registers the CPU backend (Node needs no wasm set-up for this).
import '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { readCommittedModel } from '../bench/lib/committed-model.ts';
import { HELD_OUT_SEED, TUNING_SEED } from '../bench/numbers.ts';
import { softmaxRows } from '../core/confidence.ts';
import { extractInk, NUMBER_WORKING_SIZE } from '../core/extract-ink.ts';
import { CLASS_COUNT } from '../core/model-spec.ts';
import { planNumber, readPlan, scaleBox } from '../core/segment-number.ts';
import { readMnistTestDigits } from '../test/fixtures/mnist-idx.ts';
import {
  DEFAULT_NUMBER_OPTIONS,
  NUMBER_RENDERERS,
  numberPhoto,
  type WrittenNumber,
  writeNumber,
} from '../test/fixtures/numbers/generate-numbers.ts';
import { describeScore, scoreReadings } from '../test/fixtures/numbers/score-readings.ts';
import { argmaxRows } from '../training/evaluate.ts';
import { createRandom } from '../training/random.ts';
import { rightReading } from '../training/segment-scorer.ts';
import { createFusedModel } from '../worker/model/fused-model.ts';
import { diagnoseReading, offeredBoxes, type ReadBox } from './lib/diagnose-reading.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '300' },
    verbose: { type: 'boolean', default: false },
    diagnose: { type: 'boolean', default: false },
    /** The MNIST test digits drawn from: index of the first, and how many (never 0–999: held out). */
    first: { type: 'string', default: '1000' },
    seed: { type: 'string', default: String(TUNING_SEED) },
    digits: { type: 'string', default: '9000' },
    /** canvas (the pad's export) or photo (phone photos under the photo path's conditions, in turn). */
    style: { type: 'string', default: 'canvas' },
    /** A model export other than the committed one, e.g. a candidate from `npm run train`. */
    model: { type: 'string' },
    /** Share of neighbouring pairs pushed to touch (default the generator's): 0.5 gives touching pairs in bulk. */
    touching: { type: 'string' },
    /** Read without the model's segment score (to measure what it adds). */
    'no-scorer': { type: 'boolean' },
  },
});
await tf.setBackend('cpu');
const committed = await readCommittedModel(values.model);
const model = createFusedModel(committed.weights);
// The reader as the Worker runs it: with the model's segment score, unless asked to read without one.
const segmentScorer = values['no-scorer'] ? undefined : committed.manifest.segmentScorer;
const mnist = readMnistTestDigits(10_000);
const options = {
  ...DEFAULT_NUMBER_OPTIONS,
  firstDigit: Number(values.first),
  digitCount: Number(values.digits),
  touchingShare: Number(values.touching ?? DEFAULT_NUMBER_OPTIONS.touchingShare),
};
if (options.firstDigit < 1000) throw new Error('digits 0–999 are the held-out set: tune on 1000 and up');
if (!(options.touchingShare >= 0 && options.touchingShare <= 1))
  throw new Error('--touching takes a share from 0 to 1');
const count = Number(values.count);
const seed = Number(values.seed);
if (seed === HELD_OUT_SEED) throw new Error(`seed ${HELD_OUT_SEED} is the held-out seed: never tune on it`);
/** Whether the model reads MNIST digit `index` right on its own. */
const aloneRight = (index: number): boolean => {
  const pixels = Float32Array.from(mnist.pixels.subarray(index * 784, (index + 1) * 784), (v) => v / 255);
  const row = model.predict(pixels, 1);
  return row.indexOf(Math.max(...row)) === mnist.labels[index];
};
const tally = new Map<string, number>();
/** Misses by whether some path of candidates, each read as its most likely digit, spells the number. */
const paths = new Map<boolean, number>();
/** Missed digits by what the segmentation offered for them (scripts/lib/diagnose-reading.ts). */
const offers = new Map<string, number>();
// Canvas and dark-on-light give the same ink after extraction: canvas stands for both.
for (const style of [values.style === 'photo' ? 'photo' : 'canvas'] as const) {
  const pairs: { written: WrittenNumber; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const written = writeNumber(mnist, seed, 20_000 + i, options);
    const picture =
      style === 'photo'
        ? numberPhoto(written, i, 'tuning').image
        : NUMBER_RENDERERS[style](written, createRandom(i));
    const map = extractInk(picture, NUMBER_WORKING_SIZE);
    let text = '';
    let read: ReadBox[] = [];
    if (map !== null) {
      try {
        const plan = planNumber(map);
        const outputs = model.outputs(plan.inputs, plan.candidates.length);
        const reading = readPlan(plan, outputs, segmentScorer);
        text = reading.text;
        read = reading.digits.map((d) => ({ digit: d.digit, box: scaleBox(d.box, plan.size, written) }));
        if (values.diagnose && text !== written.text) {
          const probabilities = softmaxRows(outputs.logits, plan.candidates.length);
          const among = rightReading(plan, probabilities, written.text) !== null;
          paths.set(among, (paths.get(among) ?? 0) + 1);
          const digits = argmaxRows(probabilities, CLASS_COUNT);
          const offered = plan.candidates.map((candidate, index) => ({
            digit: digits[index] as number,
            box: scaleBox(candidate.box, plan.size, written),
          }));
          for (const fault of offeredBoxes(written, offered, read))
            offers.set(fault, (offers.get(fault) ?? 0) + 1);
        }
      } catch {
        text = '';
      }
    }
    const misses =
      text === written.text ? [] : diagnoseReading(written, read, written.indices.map(aloneRight));
    if (values.diagnose) for (const miss of misses) tally.set(miss, (tally.get(miss) ?? 0) + 1);
    pairs.push({ written, text });
    if (values.verbose && text !== written.text) {
      console.log(
        `${style} #${i} ${written.text} → ${text} touching ${written.touching.map(Number).join('')} ${misses.join('; ')}`,
      );
    }
  }
  console.log(`${style}: ${describeScore(scoreReadings(pairs))}`);
  for (const [miss, times] of [...tally].sort((a, b) => b[1] - a[1])) console.log(`  ${times}× ${miss}`);
  if (values.diagnose) {
    console.log(
      `  misses whose right reading was a candidate path (the weighing chose another): ${paths.get(true) ?? 0}; ` +
        `with no such path (a digit misread in every crop offered, or no crop of it): ${paths.get(false) ?? 0}`,
    );
    console.log('  missed digits, by the boxes the segmentation offered for them:');
    for (const [fault, times] of [...offers].sort((a, b) => b[1] - a[1]))
      console.log(`    ${times}× ${fault}`);
  }
}
