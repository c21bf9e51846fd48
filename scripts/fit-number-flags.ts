/**
 * Chooses the thresholds of a number reading's `uncertain` flag (core/segment-number.ts `readingUncertain`)
 * on numbers written from the **validation** digits, never the test digits: for each pair of a confidence
 * threshold and a segment-score threshold, how many right readings it flags and how many wrong ones it
 * catches, and the pair that catches the most wrong readings while flagging at most a tenth of the right ones.
 *
 *   npx tsx scripts/fit-number-flags.ts [--count 900] [--model DIR]
 */
import { parseArgs } from 'node:util';
import { readCommittedModel } from '../bench/lib/committed-model.ts';
import { interpretPrediction } from '../core/confidence.ts';
import { DEFAULT_MODEL_DIR } from '../core/manifest.ts';
import { NumberReadError, readingUncertain, readPlan } from '../core/segment-number.ts';
import { useWasmForTraining } from '../training/backend.ts';
import { fusedModelOfExport } from '../training/calibrate.ts';
import { loadMnistTrain, splitTrainValidation } from '../training/mnist.ts';
import { parseTrainOptions } from '../training/options.ts';
import { segmentedNumbers, VALIDATION_SEED } from '../training/segment-scorer.ts';

/** Most of the right readings the flag may flag. */
const MAX_RIGHT_FLAGGED = 0.1;
const CONFIDENCE_GRID = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
const WHOLE_GRID = [0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2];

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '900' },
    model: { type: 'string', default: DEFAULT_MODEL_DIR },
  },
});
await useWasmForTraining();
const { manifest } = await readCommittedModel(values.model);
const model = await fusedModelOfExport(values.model);
const { validation } = splitTrainValidation(await loadMnistTrain(), parseTrainOptions([]).validationCount);

const readings = segmentedNumbers(model, validation, Number(values.count), VALIDATION_SEED).map((number) => {
  try {
    const reading = readPlan(number.plan, number.outputs, manifest.segmentScorer);
    const outputs = { ...number.outputs, pixels: number.plan.inputs };
    const digits = reading.digits.map((d) => ({
      ...interpretPrediction(outputs, d.candidate, manifest.calibration, manifest.digitDetector),
      ...(d.whole === undefined ? {} : { whole: d.whole }),
    }));
    const confidence = digits.reduce((product, d) => product * d.confidence, 1);
    return { right: reading.text === number.text, reading: { confidence, digits } };
  } catch (error) {
    if (error instanceof NumberReadError) return { right: false, reading: undefined };
    throw error;
  }
});
const right = readings.filter((r) => r.right);
const wrong = readings.filter((r) => !r.right);
console.log(
  `${readings.length} numbers of validation digits: ${right.length} read right, ${wrong.length} wrong`,
);

let best: { confidenceBelow: number; wholeBelow: number; flagged: number; caught: number } | undefined;
for (const confidenceBelow of CONFIDENCE_GRID) {
  const row: string[] = [];
  for (const wholeBelow of WHOLE_GRID) {
    const thresholds = { confidenceBelow, wholeBelow };
    const flagged = right.filter((r) => r.reading && readingUncertain(r.reading, thresholds)).length;
    // A line that could not be read at all counts as caught: the API answers it with an error.
    const caught = wrong.filter((r) => !r.reading || readingUncertain(r.reading, thresholds)).length;
    row.push(`${wholeBelow}: ${((flagged / right.length) * 100).toFixed(1)}%/${caught}`);
    const better = !best || caught > best.caught || (caught === best.caught && flagged < best.flagged);
    if (flagged <= MAX_RIGHT_FLAGGED * right.length && better)
      best = { confidenceBelow, wholeBelow, flagged, caught };
  }
  console.log(`confidence < ${confidenceBelow} | whole < ${row.join(' | ')}`);
}
if (best) {
  console.log(
    `chosen: confidence < ${best.confidenceBelow} or whole < ${best.wholeBelow}: ` +
      `${((best.flagged / right.length) * 100).toFixed(1)}% of right readings flagged, ` +
      `${best.caught} of ${wrong.length} wrong ones caught`,
  );
}
