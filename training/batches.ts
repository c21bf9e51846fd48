/** Builds training and evaluation batches as plain typed arrays (pure; tensors are made by the caller). */
import { CLASS_COUNT, PIXEL_COUNT } from '../core/model-spec.ts';
import { type AugmentOptions, augmentDigit } from './augment.ts';
import type { Subset } from './mnist.ts';
import type { Random } from './random.ts';

export interface Batch {
  /** size × 784 pixels in [0,1]. */
  readonly pixels: Float32Array;
  /** size × 10 targets: one-hot, or smoothed (see `labelSmoothing`). */
  readonly oneHot: Float32Array;
  readonly labels: Uint8Array;
  readonly size: number;
}

/** Copies example `index` of a set as 784 floats in [0,1] into `target`. */
function readDigit(subset: Subset, position: number, target: Float32Array): void {
  const index = subset.indices[position] as number;
  const bytes = subset.source.images.subarray(index * PIXEL_COUNT, (index + 1) * PIXEL_COUNT);
  for (let i = 0; i < PIXEL_COUNT; i++) target[i] = (bytes[i] as number) / 255;
}

/**
 * The batch made of `order[from .. from+size)` positions of `subset`, augmented when `augment` is given.
 * `labelSmoothing` ε spreads ε of each target evenly over the 10 classes (1 − ε + ε/10 on the true one).
 */
export function makeBatch(
  subset: Subset,
  order: ArrayLike<number>,
  from: number,
  size: number,
  augment?: { random: Random; options?: AugmentOptions },
  labelSmoothing = 0,
): Batch {
  const count = Math.min(size, order.length - from);
  const pixels = new Float32Array(count * PIXEL_COUNT);
  const oneHot = new Float32Array(count * CLASS_COUNT).fill(labelSmoothing / CLASS_COUNT);
  const labels = new Uint8Array(count);
  const digit = new Float32Array(PIXEL_COUNT);
  for (let i = 0; i < count; i++) {
    const position = order[from + i] as number;
    const label = subset.source.labels[subset.indices[position] as number] as number;
    labels[i] = label;
    oneHot[i * CLASS_COUNT + label] = 1 - labelSmoothing + labelSmoothing / CLASS_COUNT;
    const target = pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT);
    if (augment) {
      readDigit(subset, position, digit);
      augmentDigit(digit, target, augment.random, augment.options);
    } else {
      readDigit(subset, position, target);
    }
  }
  return { pixels, oneHot, labels, size: count };
}
