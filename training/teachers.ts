/**
 * Soft targets for distillation (`npm run train -- --teachers DIR,…`): the mean class probabilities of
 * trained exports on every training digit, computed once before the first epoch. They are read
 * on the digits as they are, not as augmented, so a batch costs no extra model calls; the affine and elastic
 * changes keep a digit's class, so its teacher's view of the plain digit still says what it resembles.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { softmaxWithTemperature } from '../core/confidence.ts';
import { ModelManifestSchema } from '../core/manifest.ts';
import { CLASS_COUNT } from '../core/model-spec.ts';
import type { Teacher } from './batches.ts';
import { fusedModelOfExport, pixelsOf, runModel } from './calibrate.ts';
import type { Subset } from './mnist.ts';
import { OptionsError } from './options.ts';

/**
 * Mean over models of softmax(logits), per digit: `logits` holds one count × 10 array per model. At
 * temperature 1: the raw outputs of label-smoothed teachers are already soft (their calibrated T is < 1).
 */
export function meanProbabilities(logits: readonly Float32Array[]): Float32Array {
  const first = logits[0];
  if (!first) throw new Error('no teacher logits');
  const mean = new Float32Array(first.length);
  for (const rows of logits) {
    for (let at = 0; at < rows.length; at += CLASS_COUNT) {
      const probabilities = softmaxWithTemperature(rows.subarray(at, at + CLASS_COUNT));
      for (let c = 0; c < CLASS_COUNT; c++)
        mean[at + c] = (mean[at + c] as number) + (probabilities[c] as number) / logits.length;
    }
  }
  return mean;
}

/**
 * Loads each export (through the Worker's model code, uint8 as served) and reads every digit of `train`.
 * The probabilities are laid out by index in the source set, as `makeBatch` looks them up; other rows are 0.
 */
export async function loadTeacher(
  directories: readonly string[],
  train: Subset,
  weight: number,
): Promise<Teacher & { readonly versions: string[] }> {
  const { source, indices } = train;
  const { pixels } = pixelsOf(train);
  const logits: Float32Array[] = [];
  const versions: string[] = [];
  for (const directory of directories) {
    const text = await readFile(join(directory, 'manifest.json'), 'utf8').catch(() => {
      throw new OptionsError(`--teachers: ${directory} holds no manifest.json (give export folders)`);
    });
    const manifest = ModelManifestSchema.parse(JSON.parse(text));
    versions.push(manifest.version);
    logits.push(runModel(await fusedModelOfExport(directory), pixels).logits);
  }
  const mean = meanProbabilities(logits);
  const probabilities = new Float32Array(source.count * CLASS_COUNT);
  indices.forEach((index, i) => {
    probabilities.set(mean.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT), index * CLASS_COUNT);
  });
  return { probabilities, weight, versions };
}
