/**
 * Fast Node-level loop for tuning the number segmentation (`npx tsx scripts/tune-numbers.ts --count 200 --verbose`):
 * generated numbers on the TUNING seed only, through the same extraction and segmentation as POST /api/read,
 * classified by the committed model on the tfjs CPU backend (no workerd, no PNG round trip). The held-out
 * seed is for `npm run bench -- --only numbers` and is never read here.
 */
// The full tfjs package registers the CPU backend (Node needs no wasm set-up for this).
import '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { readCommittedModel } from '../bench/lib/committed-model.ts';
import { TUNING_SEED } from '../bench/numbers.ts';
import { extractInk } from '../core/extract-ink.ts';
import { chooseReading, planNumber } from '../core/segment-number.ts';
import { readMnistTestDigits } from '../test/fixtures/mnist-idx.ts';
import {
  DEFAULT_NUMBER_OPTIONS,
  NUMBER_RENDERERS,
  type WrittenNumber,
  writeNumber,
} from '../test/fixtures/numbers/generate-numbers.ts';
import { describeScore, scoreReadings } from '../test/fixtures/numbers/score-readings.ts';
import { createRandom } from '../training/random.ts';
import { createFusedModel } from '../worker/model/fused-model.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '300' }, verbose: { type: 'boolean', default: false } },
});
await tf.setBackend('cpu');
const model = createFusedModel((await readCommittedModel()).weights);
const mnist = readMnistTestDigits(10_000);
const options = { ...DEFAULT_NUMBER_OPTIONS, firstDigit: 1000, digitCount: 9000 };
const count = Number(values.count);
// Canvas and dark-on-light give the same ink after extraction: one style is enough to tune on.
for (const style of ['canvas'] as const) {
  const pairs: { written: WrittenNumber; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const written = writeNumber(mnist, TUNING_SEED, 20_000 + i, options);
    const map = extractInk(NUMBER_RENDERERS[style](written, createRandom(i)));
    let text = '';
    if (map !== null) {
      try {
        const plan = planNumber(map);
        text = chooseReading(plan, model.predict(plan.inputs, plan.candidates.length)).text;
      } catch {
        text = '';
      }
    }
    pairs.push({ written, text });
    if (values.verbose && text !== written.text) {
      console.log(
        `${style} #${i} ${written.text} → ${text} touching ${written.touching.map(Number).join('')}`,
      );
    }
  }
  console.log(`${style}: ${describeScore(scoreReadings(pairs))}`);
}
