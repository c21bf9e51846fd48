/**
 * Two touching digits read as one picture: what the number reader's candidate crops show when they hold a
 * pair. Trained with an even target over the ten classes (`--merges`), the classifier learns to be unsure of
 * them, so the reader's choice, which weighs the model's confidence, prefers the cut between them.
 */
import { inkBounds, mnistFromInk } from '../core/ink-map.ts';
import { IMAGE_SIZE } from '../core/model-spec.ts';
import { type Random, uniform } from './random.ts';

/** How far the right digit is pushed into the left one, as a share of the narrower digit's width. */
const MOST_OVERLAP = 0.35;
/** How far the two digits' tops may differ, in pixels of the 28×28 digits. */
const MOST_RISE = 2;

/**
 * `left` and `right` (MNIST digits, 784 bytes each) side by side, touching or overlapping, brought to MNIST's
 * form as the number reader brings a candidate (`mnistFromInk`: 20×20 box, centre of mass); null when
 * either has no ink.
 */
export function mergedPair(left: Uint8Array, right: Uint8Array, random: Random): Float32Array | null {
  const boxA = inkBounds(left, IMAGE_SIZE, IMAGE_SIZE);
  const boxB = inkBounds(right, IMAGE_SIZE, IMAGE_SIZE);
  if (boxA === null || boxB === null) return null;
  const overlap = Math.round(uniform(random, 0, MOST_OVERLAP) * Math.min(boxA.width, boxB.width));
  const rise = Math.round(uniform(random, -MOST_RISE, MOST_RISE));
  const width = boxA.width + boxB.width - overlap;
  const height = Math.max(boxA.height, boxB.height) + MOST_RISE * 2;
  const ink = new Uint8Array(width * height);
  const paste = (digit: Uint8Array, box: typeof boxA, atX: number, atY: number) => {
    for (let y = 0; y < box.height; y++)
      for (let x = 0; x < box.width; x++) {
        const value = digit[(box.y + y) * IMAGE_SIZE + box.x + x] as number;
        const at = (atY + y) * width + atX + x;
        if (value > (ink[at] as number)) ink[at] = value;
      }
  };
  paste(left, boxA, 0, MOST_RISE);
  paste(right, boxB, boxA.width - overlap, MOST_RISE + rise);
  return mnistFromInk({ width, height, ink });
}
