/**
 * `npm run train -- --extra DIR`: corrections exported from D1 (`npm run feedback:export`) mixed into
 * training. A seeded share is held out and only evaluated at the end, like the MNIST test digits, so the
 * report says how the new model does on the kind of digits people actually draw.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { EXTRA_IMAGES_FILE, EXTRA_LABELS_FILE } from '../core/corrections.ts';
import { CLASS_COUNT, IMAGE_SIZE, PIXEL_COUNT } from '../core/model-spec.ts';
import { type LabelledImages, pairImagesWithLabels, parseIdx } from './idx.ts';
import { lossAndAccuracy, predictAll } from './loop.ts';
import type { Subset } from './mnist.ts';
import { createRandom, shuffleInPlace } from './random.ts';

/** Written into the export folder next to manifest.json. */
export const EXTRA_REPORT_FILE = 'extra-evaluation.json';

/** Below this many corrections nothing is held out: there is too little to measure anything. */
const MIN_FOR_HOLD_OUT = 5;

/** Reads the IDX pair of an export folder with the parser MNIST's own files go through. */
export async function loadExtraData(directory: string): Promise<LabelledImages> {
  const imagesFile = join(directory, EXTRA_IMAGES_FILE);
  const labelsFile = join(directory, EXTRA_LABELS_FILE);
  const [images, labels] = await Promise.all([readFile(imagesFile), readFile(labelsFile)]);
  return pairImagesWithLabels(parseIdx(images, imagesFile), parseIdx(labels, labelsFile), {
    rows: IMAGE_SIZE,
    cols: IMAGE_SIZE,
    classes: CLASS_COUNT,
  });
}

/** A seeded split of the corrections: `holdOut` is never trained on. Same seed, same split. */
export function splitExtra(
  set: LabelledImages,
  holdOutShare: number,
  seed: number,
): { train: Uint32Array; holdOut: Uint32Array } {
  const order = shuffleInPlace(
    Uint32Array.from({ length: set.count }, (_, i) => i),
    createRandom((seed * 2_654_435_761 + 13) >>> 0),
  );
  const holdOutCount = set.count < MIN_FOR_HOLD_OUT ? 0 : Math.max(1, Math.round(set.count * holdOutShare));
  // Sorted, so the split does not depend on how the shuffle orders each part.
  return {
    holdOut: order.slice(0, holdOutCount).sort(),
    train: order.slice(holdOutCount).sort(),
  };
}

/**
 * The MNIST training subset with the training corrections appended `weight` times each (they are few
 * against 55,000 digits, so each is seen several times an epoch). One combined source keeps the batch
 * code unchanged.
 */
export function mixExtra(
  mnist: Subset,
  extra: LabelledImages,
  extraIndices: Uint32Array,
  weight: number,
): Subset {
  const base = mnist.source;
  const images = new Uint8Array((base.count + extra.count) * PIXEL_COUNT);
  images.set(base.images);
  images.set(extra.images, base.count * PIXEL_COUNT);
  const labels = new Uint8Array(base.count + extra.count);
  labels.set(base.labels);
  labels.set(extra.labels, base.count);
  const indices = new Uint32Array(mnist.indices.length + extraIndices.length * weight);
  indices.set(mnist.indices);
  for (let copy = 0; copy < weight; copy++) {
    for (let i = 0; i < extraIndices.length; i++) {
      indices[mnist.indices.length + copy * extraIndices.length + i] =
        base.count + (extraIndices[i] as number);
    }
  }
  return {
    source: { images, labels, count: base.count + extra.count, rows: base.rows, cols: base.cols },
    indices,
  };
}

/** Everything train.ts needs from --extra: the mixed training subset and the held-out corrections. */
export async function prepareExtra(
  train: Subset,
  options: { directory: string; weight: number; holdOutShare: number; seed: number },
): Promise<{ train: Subset; holdOut: Subset; trained: number }> {
  const extra = await loadExtraData(options.directory);
  const split = splitExtra(extra, options.holdOutShare, options.seed);
  console.log(
    `extra: ${extra.count} corrections from ${options.directory}: ${split.train.length} trained on (×${options.weight}), ` +
      `${split.holdOut.length} held out`,
  );
  return {
    train: mixExtra(train, extra, split.train, options.weight),
    holdOut: { source: extra, indices: split.holdOut },
    trained: split.train.length,
  };
}

export interface HoldOutReport {
  readonly corrections: number;
  readonly heldOut: number;
  readonly trainedOn: number;
  readonly weight: number;
  /** Accuracy of the exported precision on the held-out corrections; null when none were held out. */
  readonly heldOutAccuracy: number | null;
  readonly mnistTestAccuracy: number;
}

/** The model's accuracy on the held-out corrections (with whatever weights it has now). */
export async function holdOutAccuracy(
  tfjs: typeof tf,
  model: tf.LayersModel,
  holdOut: Subset,
): Promise<number | null> {
  if (holdOut.indices.length === 0) return null;
  const { probabilities, labels } = await predictAll(tfjs, model, holdOut);
  return lossAndAccuracy(probabilities, labels).accuracy;
}

/** Prints the two figures side by side and keeps them beside the export (not part of what is published). */
export async function writeHoldOutReport(directory: string, report: HoldOutReport): Promise<void> {
  const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(2)}%`);
  console.log(
    `held-out corrections: ${percent(report.heldOutAccuracy)} of ${report.heldOut} | MNIST test: ${percent(report.mnistTestAccuracy)}`,
  );
  await writeFile(join(directory, EXTRA_REPORT_FILE), `${JSON.stringify(report, null, 2)}\n`);
}
