/**
 * Compares model exports on the validation split, as the trainer chooses between epochs: each export's uint8
 * weights through the Worker's own model code, its accuracy and its NLL after its own temperature, and for
 * every export after the first the paired difference of calibrated NLL against the first, with one standard
 * error over the validation digits. The test digits are not read.
 *
 *   npx tsx scripts/compare-models.ts models/default artifacts/model
 */
import { softmaxWithTemperature } from '../core/confidence.ts';
import { CLASS_COUNT } from '../core/model-spec.ts';
import { useWasmForTraining } from '../training/backend.ts';
import { fusedModelOfExport, pixelsOf, runModel } from '../training/calibrate.ts';
import { argmaxRows } from '../training/evaluate.ts';
import { loadMnistTrain, splitTrainValidation } from '../training/mnist.ts';
import { parseTrainOptions } from '../training/options.ts';
import { fitTemperature } from '../training/signals.ts';

const directories = process.argv.slice(2);
if (directories.length === 0) {
  console.error('Usage: npx tsx scripts/compare-models.ts EXPORT_DIR [EXPORT_DIR …]');
  process.exit(2);
}
await useWasmForTraining();
// The trainer's own validation split (its default size), so the figures are those it chooses by.
const { validation } = splitTrainValidation(await loadMnistTrain(), parseTrainOptions([]).validationCount);
const { pixels, labels } = pixelsOf(validation);

/** Per validation digit: the calibrated NLL, and whether it is read right. */
async function measure(
  directory: string,
): Promise<{ nll: Float64Array; right: number; temperature: number }> {
  const { logits } = runModel(await fusedModelOfExport(directory), pixels);
  const temperature = fitTemperature(logits, labels);
  const read = argmaxRows(logits, CLASS_COUNT);
  const nll = new Float64Array(labels.length);
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = softmaxWithTemperature(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT), temperature);
    nll[i] = -Math.log(Math.max(row[labels[i] as number] as number, 1e-12));
    if (read[i] === labels[i]) right++;
  }
  return { nll, right, temperature };
}

const mean = (values: Float64Array) => values.reduce((sum, v) => sum + v, 0) / values.length;
let first: Float64Array | undefined;
for (const directory of directories) {
  const { nll, right, temperature } = await measure(directory);
  let line = `${directory}: validation accuracy ${((100 * right) / labels.length).toFixed(2)}%, calibrated NLL ${mean(nll).toFixed(4)} (T ${temperature.toFixed(3)})`;
  if (first === undefined) first = nll;
  else {
    const base = first;
    const difference = nll.map((v, i) => v - (base[i] as number));
    const average = mean(difference);
    const spread = Math.sqrt(
      difference.reduce((sum, v) => sum + (v - average) ** 2, 0) / (difference.length - 1),
    );
    const error = spread / Math.sqrt(difference.length);
    line += `; against the first ${average >= 0 ? '+' : ''}${average.toFixed(4)} ± ${error.toFixed(4)} (1 SE)`;
  }
  console.log(line);
}
