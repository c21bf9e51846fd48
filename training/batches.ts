/** Builds training and evaluation batches as plain typed arrays (pure; tensors are made by the caller). */
import { CLASS_COUNT, PIXEL_COUNT } from '../core/model-spec.ts';
import { type AugmentOptions, augmentDigit } from './augment.ts';
import { mergedPair, neighbourCrop } from './merges.ts';
import type { Subset } from './mnist.ts';
import { beta, type Random } from './random.ts';

export interface Batch {
  /** size × 784 pixels in [0,1]. */
  readonly pixels: Float32Array;
  /** size × 10 targets: one-hot, smoothed (see `labelSmoothing`), or mixed with a teacher's (see `Teacher`). */
  readonly oneHot: Float32Array;
  readonly labels: Uint8Array;
  readonly size: number;
}

/** Soft targets from trained models (training/teachers.ts), mixed into the labels for distillation. */
export interface Teacher {
  /** 10 probabilities per digit of the source set, by the digit's index in it. */
  readonly probabilities: Float32Array;
  /** Share of each target taken from the teacher; the rest is the (smoothed) label. */
  readonly weight: number;
}

/** The bytes of example `position` of a set (784, ink = 255). */
function digitBytes(subset: Subset, position: number): Uint8Array {
  const index = subset.indices[position] as number;
  return subset.source.images.subarray(index * PIXEL_COUNT, (index + 1) * PIXEL_COUNT);
}

/** Copies example `position` of a set as 784 floats in [0,1] into `target`. */
function readDigit(subset: Subset, position: number, target: Float32Array): void {
  const bytes = digitBytes(subset, position);
  for (let i = 0; i < PIXEL_COUNT; i++) target[i] = (bytes[i] as number) / 255;
}

/**
 * The batch made of `order[from .. from+size)` positions of `subset`, augmented when `augment` is given.
 * `labelSmoothing` ε spreads ε of each target evenly over the 10 classes (1 − ε + ε/10 on the true one);
 * a `teacher` then replaces `weight` of that target with its own probabilities for the digit. With
 * `augment.mergeShare`, that share of the examples becomes the digit touching a random other one
 * (training/merges.ts), with an even target: not one digit. With `augment.neighbourShare`, that share becomes
 * the digit as the reader crops it from a touching pair, with its own target. With `augment.mixupAlpha` α,
 * every example is then blended with another of the batch (mixup): pixels and targets alike, λ·own +
 * (1 − λ)·other with λ = max(b, 1 − b), b ~ Beta(α, α), so each example stays mostly its own digit and label.
 */
export function makeBatch(
  subset: Subset,
  order: ArrayLike<number>,
  from: number,
  size: number,
  augment?: {
    random: Random;
    options?: AugmentOptions;
    mergeShare?: number;
    neighbourShare?: number;
    mixupAlpha?: number;
  },
  labelSmoothing = 0,
  teacher?: Teacher,
): Batch {
  const count = Math.min(size, order.length - from);
  const pixels = new Float32Array(count * PIXEL_COUNT);
  const oneHot = new Float32Array(count * CLASS_COUNT).fill(labelSmoothing / CLASS_COUNT);
  const labels = new Uint8Array(count);
  const digit = new Float32Array(PIXEL_COUNT);
  for (let i = 0; i < count; i++) {
    const position = order[from + i] as number;
    const index = subset.indices[position] as number;
    const label = subset.source.labels[index] as number;
    labels[i] = label;
    oneHot[i * CLASS_COUNT + label] = 1 - labelSmoothing + labelSmoothing / CLASS_COUNT;
    if (teacher) {
      const soft = teacher.probabilities.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT);
      for (let c = 0; c < CLASS_COUNT; c++) {
        const at = i * CLASS_COUNT + c;
        oneHot[at] = (1 - teacher.weight) * (oneHot[at] as number) + teacher.weight * (soft[c] as number);
      }
    }
    const target = pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT);
    if (augment) {
      readDigit(subset, position, digit);
      // Only when asked: a draw here would change every later one, and with it the default recipe's weights.
      if (augment.mergeShare && augment.random() < augment.mergeShare) {
        const own = digitBytes(subset, position);
        const other = digitBytes(subset, Math.floor(augment.random() * subset.indices.length));
        const [left, right] = augment.random() < 0.5 ? [own, other] : [other, own];
        const pair = mergedPair(left, right, augment.random);
        if (pair !== null) {
          digit.set(pair);
          oneHot.fill(1 / CLASS_COUNT, i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
        }
      } else if (augment.neighbourShare && augment.random() < augment.neighbourShare) {
        const other = digitBytes(subset, Math.floor(augment.random() * subset.indices.length));
        const crop = neighbourCrop(
          digitBytes(subset, position),
          other,
          augment.random() < 0.5,
          augment.random,
        );
        if (crop !== null) digit.set(crop);
      }
      augmentDigit(digit, target, augment.random, augment.options);
    } else {
      readDigit(subset, position, target);
    }
  }
  if (augment?.mixupAlpha) mixUp(pixels, oneHot, count, augment.mixupAlpha, augment.random);
  return { pixels, oneHot, labels, size: count };
}

/** Blends each example with a random other one of the batch, as they were before any blending (mixup). */
function mixUp(pixels: Float32Array, targets: Float32Array, count: number, alpha: number, random: Random) {
  const plainPixels = pixels.slice();
  const plainTargets = targets.slice();
  for (let i = 0; i < count; i++) {
    const other = Math.floor(random() * count);
    const drawn = beta(random, alpha, alpha);
    const own = Math.max(drawn, 1 - drawn);
    for (let p = 0; p < PIXEL_COUNT; p++) {
      const at = i * PIXEL_COUNT + p;
      pixels[at] =
        own * (pixels[at] as number) + (1 - own) * (plainPixels[other * PIXEL_COUNT + p] as number);
    }
    for (let c = 0; c < CLASS_COUNT; c++) {
      const at = i * CLASS_COUNT + c;
      targets[at] =
        own * (targets[at] as number) + (1 - own) * (plainTargets[other * CLASS_COUNT + c] as number);
    }
  }
}
