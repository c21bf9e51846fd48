/**
 * Two touching digits read as one picture: what the number reader's candidate crops show when they hold a
 * pair. Trained with an even target over the ten classes (`--merges`), the classifier learns to be unsure of
 * them, so the reader's choice, which weighs the model's confidence, prefers the cut between them. And one
 * digit cut from a touching pair (`--neighbours`), which should still read as that digit.
 */
import { inkBounds, mnistFromInk } from '../core/ink-map.ts';
import { IMAGE_SIZE } from '../core/model-spec.ts';
import { type Random, uniform } from './random.ts';

/** How far the right digit is pushed into the left one, as a share of the narrower digit's width. */
const MOST_OVERLAP = 0.35;
/** How far the two digits' tops may differ, in pixels of the 28×28 digits. */
const MOST_RISE = 2;

/** Two MNIST digits pasted side by side on one ink map, the right one pushed `overlap` columns into the left. */
function sideBySide(left: Uint8Array, right: Uint8Array, random: Random, mostOverlap: number) {
  const boxA = inkBounds(left, IMAGE_SIZE, IMAGE_SIZE);
  const boxB = inkBounds(right, IMAGE_SIZE, IMAGE_SIZE);
  if (boxA === null || boxB === null) return null;
  const overlap = Math.round(uniform(random, 0, mostOverlap) * Math.min(boxA.width, boxB.width));
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
  return { map: { width, height, ink }, leftWidth: boxA.width, rightWidth: boxB.width, overlap };
}

/**
 * `left` and `right` (MNIST digits, 784 bytes each) side by side, touching or overlapping, brought to MNIST's
 * form as the number reader brings a candidate (`mnistFromInk`: 20×20 box, centre of mass); null when
 * either has no ink.
 */
export function mergedPair(left: Uint8Array, right: Uint8Array, random: Random): Float32Array | null {
  const pair = sideBySide(left, right, random, MOST_OVERLAP);
  return pair && mnistFromInk(pair.map);
}

/** How far a neighbour overlaps the digit whose crop is taken (the reader's cuts rarely part deeper overlaps). */
const NEIGHBOUR_OVERLAP = 0.25;
/**
 * How far the cut strays past the seam, as a share of the width of the digit it strays into: a little into the
 * digit's own ink (more would leave a fragment no reader should call a digit), further into the neighbour's.
 */
const STRAY_INTO_OWN = 0.1;
const STRAY_INTO_NEIGHBOUR = 0.2;

/**
 * What the reader's crop of a digit touching a neighbour shows (`--neighbours`): `own` beside `other` (on the
 * given side), cut straight down near the seam, so that it keeps a sliver of the neighbour or loses a sliver
 * of its own, in MNIST's form as the reader brings it. Still `own`'s digit; null when either has no ink.
 */
export function neighbourCrop(
  own: Uint8Array,
  other: Uint8Array,
  ownOnLeft: boolean,
  random: Random,
): Float32Array | null {
  const pair = ownOnLeft
    ? sideBySide(own, other, random, NEIGHBOUR_OVERLAP)
    : sideBySide(other, own, random, NEIGHBOUR_OVERLAP);
  if (pair === null) return null;
  const { map, leftWidth, rightWidth, overlap } = pair;
  // The seam lies anywhere across the overlap; the cut strays past it into either digit.
  const [intoLeft, intoRight] = ownOnLeft
    ? [STRAY_INTO_OWN * leftWidth, STRAY_INTO_NEIGHBOUR * rightWidth]
    : [STRAY_INTO_NEIGHBOUR * leftWidth, STRAY_INTO_OWN * rightWidth];
  const cut = Math.round(uniform(random, leftWidth - overlap - intoLeft, leftWidth + intoRight));
  const at = Math.max(1, Math.min(map.width - 1, cut));
  const { height } = map;
  return mnistFromInk(
    map,
    ownOnLeft ? { x: 0, y: 0, width: at, height } : { x: at, y: 0, width: map.width - at, height },
  );
}
