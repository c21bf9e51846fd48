import { describe, expect, it } from 'vitest';
import { inkBounds } from '../../core/ink-map.ts';
import { CLASS_COUNT, IMAGE_SIZE, PIXEL_COUNT } from '../../core/model-spec.ts';
import { type AugmentOptions, DEFAULT_AUGMENT } from '../../training/augment.ts';
import { makeBatch } from '../../training/batches.ts';
import { mergedPair, neighbourCrop } from '../../training/merges.ts';
import type { Subset } from '../../training/mnist.ts';
import { beta, createRandom } from '../../training/random.ts';

/** A 28×28 digit with a vertical bar of ink at columns [from, to), rows 4–23 (MNIST's 20-pixel height). */
function bar(from: number, to: number): Float32Array {
  const digit = new Float32Array(PIXEL_COUNT);
  for (let y = 4; y < 24; y++) for (let x = from; x < to; x++) digit[y * IMAGE_SIZE + x] = 1;
  return digit;
}

const boundsOf = (digit: Float32Array) =>
  inkBounds(
    Uint8Array.from(digit, (v) => Math.round(v * 255)),
    IMAGE_SIZE,
    IMAGE_SIZE,
  );

/** Two digits: a bar 4 pixels wide (label 1) and a block 12 wide (label 0). */
const subset: Subset = {
  source: {
    images: Uint8Array.from([...bar(12, 16), ...bar(8, 20)], (v) => v * 255),
    labels: Uint8Array.of(1, 0),
    count: 2,
    rows: 28,
    cols: 28,
  },
  indices: Uint32Array.of(0, 1),
};

/** Augmentation that changes nothing, so that what a batch option does alone shows in the pixels. */
const NO_AUGMENT: AugmentOptions = {
  ...DEFAULT_AUGMENT,
  maxRotationDegrees: 0,
  maxShear: 0,
  maxShiftPixels: 0,
  scaleRange: [1, 1],
  elasticProbability: 0,
  strokeChangeProbability: 0,
  blurProbability: 0,
  breakProbability: 0,
  contrastProbability: 0,
  noiseProbability: 0,
};

describe('two touching digits as one picture (npm run train -- --merges)', () => {
  it('puts the pair side by side, touching, in MNIST’s 20×20 box: wider than tall, centred', () => {
    const bytes = (digit: Float32Array) => Uint8Array.from(digit, (v) => v * 255);
    const target = mergedPair(bytes(bar(8, 20)), bytes(bar(7, 21)), createRandom(3));
    if (target === null) throw new Error('two inked digits make a pair');
    const box = boundsOf(target);
    expect(box).not.toBeNull();
    // 12 + 14 columns less an overlap of at most 35% of 12: at least 21.8 wide against 20 high, so 20 wide.
    expect(box?.width).toBe(20);
    expect(box?.height).toBeLessThan(20);
    expect(box?.height).toBeGreaterThan(13);
    // No gap: every column of the box holds ink.
    for (let x = box?.x ?? 0; x < (box?.x ?? 0) + (box?.width ?? 0); x++) {
      let ink = 0;
      for (let y = 0; y < IMAGE_SIZE; y++) ink += target[y * IMAGE_SIZE + x] as number;
      expect(ink).toBeGreaterThan(0);
    }
  });

  it('turns the asked share of a batch into pairs with an even target, and draws nothing when not asked', () => {
    const order = Uint32Array.from({ length: 200 }, (_, i) => i % 2);
    const plain = makeBatch(subset, order, 0, 200, { random: createRandom(5) }, 0.1);
    const unasked = makeBatch(subset, order, 0, 200, { random: createRandom(5), mergeShare: 0 }, 0.1);
    expect(unasked.pixels).toEqual(plain.pixels);
    // Shifts only, so that widths tell a pair from the thin bar.
    const options = {
      ...DEFAULT_AUGMENT,
      maxRotationDegrees: 0,
      maxShear: 0,
      scaleRange: [1, 1] as const,
      elasticProbability: 0,
      strokeChangeProbability: 0,
      blurProbability: 0,
      breakProbability: 0,
      noiseProbability: 0,
    };
    const random = createRandom(5);
    const merged = makeBatch(subset, order, 0, 200, { random, options, mergeShare: 0.3 }, 0.1);
    let even = 0;
    for (let i = 0; i < 200; i++) {
      const row = Array.from(merged.oneHot.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT));
      if (row.every((p) => Math.abs(p - 1 / CLASS_COUNT) < 1e-7)) {
        even++;
        // Even two bars, overlapping by at most 35% of one, are at least 7 wide; one bar alone at most 6 (shifted by a fraction of a pixel).
        expect(
          boundsOf(merged.pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT))?.width,
        ).toBeGreaterThan(6);
      } else {
        expect(row[merged.labels[i] as number]).toBeCloseTo(0.91, 6);
        if (merged.labels[i] === 1) {
          expect(
            boundsOf(merged.pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT))?.width,
          ).toBeLessThanOrEqual(6);
        }
      }
    }
    expect(even).toBeGreaterThan(40);
    expect(even).toBeLessThan(80);
  });
});

describe('one digit cut from a touching pair (npm run train -- --neighbours)', () => {
  const bytes = (digit: Float32Array) => Uint8Array.from(digit, (v) => v * 255);

  it('keeps its own digit, give or take a sliver at the seam, on either side', () => {
    const widths = new Set<number>();
    for (let seed = 0; seed < 40; seed++) {
      // A block 12 wide (rows 4–23) beside one 8 wide: they overlap by at most 2 px, and the cut strays at most
      // 1.2 px into the first or 1.6 px into the other, so the crop is 9 to 14 columns of the block's 20 rows.
      const crop = neighbourCrop(bytes(bar(8, 20)), bytes(bar(10, 18)), seed % 2 === 0, createRandom(seed));
      if (crop === null) throw new Error('two inked digits make a crop');
      const box = boundsOf(crop);
      expect(box?.height).toBe(20);
      expect(box?.width).toBeGreaterThanOrEqual(9);
      expect(box?.width).toBeLessThanOrEqual(14);
      widths.add(box?.width ?? 0);
    }
    // Both kinds of crop occur: a sliver lost (narrower than 12) and a sliver of the neighbour kept (wider).
    expect(Math.min(...widths)).toBeLessThan(12);
    expect(Math.max(...widths)).toBeGreaterThan(12);
  });

  it('keeps each example’s own target, and draws nothing when not asked', () => {
    const order = Uint32Array.from({ length: 200 }, (_, i) => i % 2);
    const batch = (neighbourShare?: number) =>
      makeBatch(subset, order, 0, 200, { random: createRandom(5), options: NO_AUGMENT, neighbourShare }, 0.1);
    const plain = batch();
    expect(batch(0).pixels).toEqual(plain.pixels);
    const cropped = batch(0.3);
    expect(cropped.oneHot).toEqual(plain.oneHot);
    // A crop loses a sliver of its digit or keeps one of the neighbour: its ink differs from the digit's.
    const inkOf = (batch: typeof plain, i: number) =>
      batch.pixels.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT).reduce((sum, v) => sum + v, 0);
    let changed = 0;
    for (let i = 0; i < 200; i++) if (Math.abs(inkOf(cropped, i) - inkOf(plain, i)) > 0.5) changed++;
    expect(changed).toBeGreaterThan(30);
    expect(changed).toBeLessThan(80);
  });
});

describe('mixup (npm run train -- --mixup α)', () => {
  const order = Uint32Array.from({ length: 200 }, (_, i) => i % 2);

  it('draws λ from Beta(a, b): its mean a / (a + b) and, for a = b < 1, mostly near 0 or 1', () => {
    const random = createRandom(11);
    const draws = (a: number, b: number) => Array.from({ length: 20_000 }, () => beta(random, a, b));
    const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
    expect(mean(draws(2, 5))).toBeCloseTo(2 / 7, 2);
    const u = draws(0.2, 0.2);
    expect(mean(u)).toBeCloseTo(0.5, 1);
    expect(u.every((v) => v >= 0 && v <= 1)).toBe(true);
    // Beta(0.2, 0.2) has 67% of its mass within 0.1 of either end (a uniform draw: 20%).
    const ends = u.filter((v) => v < 0.1 || v > 0.9).length / u.length;
    expect(ends).toBeGreaterThan(0.6);
    expect(ends).toBeLessThan(0.8);
  });

  it('blends pixels and targets by the same λ ≥ ½, keeps each label, and draws nothing when not asked', () => {
    const plain = makeBatch(subset, order, 0, 200, { random: createRandom(5), options: NO_AUGMENT }, 0.1);
    const unasked = makeBatch(
      subset,
      order,
      0,
      200,
      { random: createRandom(5), options: NO_AUGMENT, mixupAlpha: 0 },
      0.1,
    );
    expect(unasked.pixels).toEqual(plain.pixels);
    const mixed = makeBatch(
      subset,
      order,
      0,
      200,
      { random: createRandom(5), options: NO_AUGMENT, mixupAlpha: 0.4 },
      0,
    );
    expect(mixed.labels).toEqual(plain.labels);
    let blended = 0;
    for (let i = 0; i < 200; i++) {
      const label = mixed.labels[i] as number;
      const row = mixed.oneHot.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
      const sum = row.reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(1, 5);
      const own = row[label] as number;
      expect(own).toBeGreaterThanOrEqual(0.5 - 1e-6);
      // The bar (label 1) covers columns 12–15 only; the block (label 0) 8–19. Column 9, row 10 holds ink
      // only in the block: there a blend shows the block's share, which is its target's share.
      const blockShare = row[0] as number;
      expect(mixed.pixels[i * PIXEL_COUNT + 10 * IMAGE_SIZE + 9]).toBeCloseTo(blockShare, 5);
      if (own < 0.999) blended++;
    }
    // Beta(0.4, 0.4) puts λ below 0.999 most of the time, and half the partners are the other digit.
    expect(blended).toBeGreaterThan(50);
  });
});
