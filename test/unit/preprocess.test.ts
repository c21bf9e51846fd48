import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { centreByMass, DIGIT_BOX, fitToBox, inkBounds } from '../../core/ink-map.ts';
import { IMAGE_SIZE, PIXEL_COUNT } from '../../core/model-spec.ts';
import { compositeLuminance, inkStrength, type RgbaImage, toMnistPixels } from '../../core/preprocess.ts';
import { resampleArea } from '../../core/resample.ts';
import { readMnistTestDigits } from '../fixtures/mnist-idx.ts';
import { type InkStyle, renderDigit } from '../fixtures/render-digit.ts';

const blank = (width: number, height: number, rgba: [number, number, number, number]): RgbaImage => {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(rgba, 4 * i);
  return { width, height, data };
};

/** Pearson correlation: shape similarity that ignores small intensity differences. */
const correlation = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  return ab / Math.sqrt(aa * bb);
};

/** Correlation after the best whole-pixel shift of up to one pixel: rounding may move a digit by one. */
const shapeSimilarity = (a: Float32Array, b: ArrayLike<number>): number => {
  let best = -1;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const shifted = new Float32Array(PIXEL_COUNT);
      for (let y = 0; y < IMAGE_SIZE; y++) {
        for (let x = 0; x < IMAGE_SIZE; x++) {
          const sx = x + dx;
          const sy = y + dy;
          if (sx >= 0 && sy >= 0 && sx < IMAGE_SIZE && sy < IMAGE_SIZE)
            shifted[y * IMAGE_SIZE + x] = a[sy * IMAGE_SIZE + sx] as number;
        }
      }
      best = Math.max(best, correlation(shifted, b));
    }
  }
  return best;
};

const centreOfMass = (pixels: Float32Array): { x: number; y: number } => {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let i = 0; i < PIXEL_COUNT; i++) {
    const v = pixels[i] as number;
    mass += v;
    x += v * ((i % IMAGE_SIZE) + 0.5);
    y += v * (Math.floor(i / IMAGE_SIZE) + 0.5);
  }
  return { x: x / mass, y: y / mass };
};

const digits = readMnistTestDigits(40);
const digitAt = (index: number): Uint8Array =>
  digits.pixels.subarray(index * PIXEL_COUNT, (index + 1) * PIXEL_COUNT);

describe('toMnistPixels', () => {
  it('returns null for blank images of every kind', () => {
    expect(toMnistPixels(blank(50, 40, [255, 255, 255, 255]))).toBeNull();
    expect(toMnistPixels(blank(50, 40, [0, 0, 0, 255]))).toBeNull();
    expect(toMnistPixels(blank(50, 40, [0, 0, 0, 0]))).toBeNull();
    expect(toMnistPixels(blank(1, 1, [128, 128, 128, 255]))).toBeNull();
  });

  it('returns null when the only marks are too faint to be ink', () => {
    const image = blank(30, 30, [250, 250, 250, 255]);
    image.data.set([240, 240, 240, 255], 4 * (15 * 30 + 15));
    expect(toMnistPixels(image)).toBeNull();
  });

  it('rejects impossible sizes and short buffers', () => {
    expect(() => toMnistPixels({ width: 0, height: 5, data: new Uint8Array(0) })).toThrow(RangeError);
    expect(() => toMnistPixels({ width: 2.5, height: 2, data: new Uint8Array(40) })).toThrow(RangeError);
    expect(() => toMnistPixels({ width: 4, height: 4, data: new Uint8Array(63) })).toThrow(RangeError);
  });

  it('gives back an MNIST digit given as a 28×28 light-on-dark image almost unchanged', () => {
    for (let index = 0; index < digits.count; index++) {
      const digit = digitAt(index);
      const pixels = toMnistPixels(
        renderDigit(digit, { width: 28, height: 28, size: 28, left: 0, top: 0, style: 'light-on-dark' }),
      );
      expect(pixels).not.toBeNull();
      expect(shapeSimilarity(pixels as Float32Array, digit)).toBeGreaterThan(0.95);
    }
  });

  it.each<[InkStyle, number]>([
    ['dark-on-light', 255],
    ['dark-on-light', 190],
    ['alpha', 255],
    ['white-alpha', 255],
    ['light-on-dark', 0],
  ])('finds the same digit drawn large and off-centre (%s, paper %d)', (style, paper) => {
    for (let index = 0; index < 10; index++) {
      const digit = digitAt(index);
      const reference = toMnistPixels(
        renderDigit(digit, { width: 28, height: 28, size: 28, left: 0, top: 0, style: 'light-on-dark' }),
      );
      const drawn = toMnistPixels(
        renderDigit(digit, { width: 400, height: 300, size: 250, left: 140, top: 20, style, paper }),
      );
      expect(drawn).not.toBeNull();
      // Enlarging then shrinking again blurs edges a little; the shape must stay the same.
      expect(shapeSimilarity(drawn as Float32Array, reference as Float32Array)).toBeGreaterThan(0.85);
    }
  });

  it('outputs 784 values in [0, 1] with solid strokes and the centre of mass at the centre', () => {
    const pixels = toMnistPixels(
      renderDigit(digitAt(3), { width: 500, height: 500, size: 480, left: 10, top: 5, style: 'alpha' }),
    );
    expect(pixels).toHaveLength(PIXEL_COUNT);
    const values = Array.from(pixels as Float32Array);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBe(1);
    const centre = centreOfMass(pixels as Float32Array);
    expect(Math.abs(centre.x - 14.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(centre.y - 14.5)).toBeLessThanOrEqual(0.5);
  });

  it('keeps the aspect ratio of a tall thin stroke', () => {
    const image = blank(100, 100, [255, 255, 255, 255]);
    for (let y = 10; y < 90; y++)
      for (let x = 45; x < 55; x++) image.data.set([0, 0, 0, 255], 4 * (y * 100 + x));
    const pixels = toMnistPixels(image) as Float32Array;
    const bounds = inkBounds(
      Uint8Array.from(pixels, (v) => (v > 0.05 ? 1 : 0)),
      IMAGE_SIZE,
      IMAGE_SIZE,
    );
    expect(bounds?.height).toBe(DIGIT_BOX);
    expect(bounds?.width).toBeLessThanOrEqual(4);
  });

  it('never throws on random images, and answers null or 784 values in [0, 1]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.infiniteStream(fc.integer({ min: 0, max: 255 })),
        (width, height, stream) => {
          const data = Uint8Array.from(stream.take(width * height * 4));
          const pixels = toMnistPixels({ width, height, data });
          if (pixels === null) return;
          expect(pixels).toHaveLength(PIXEL_COUNT);
          for (const v of pixels) expect(v >= 0 && v <= 1).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('preprocessing steps', () => {
  it('composites dark strokes on a transparent canvas onto white, light ones onto black', () => {
    const dark = { width: 2, height: 1, data: Uint8Array.of(0, 0, 0, 255, 0, 0, 0, 0) };
    expect(Array.from(compositeLuminance(dark))).toEqual([0, 255]);
    const light = { width: 2, height: 1, data: Uint8Array.of(255, 255, 255, 255, 0, 0, 0, 0) };
    expect(Array.from(compositeLuminance(light))).toEqual([255, 0]);
  });

  it('measures ink on the side away from the background and stretches it to 255', () => {
    const paper = Uint8Array.of(200, 200, 200, 100, 200);
    expect(Array.from(inkStrength(paper) as Uint8Array)).toEqual([0, 0, 0, 255, 0]);
    const night = Uint8Array.of(10, 10, 110, 10, 60);
    const ink = inkStrength(night) as Uint8Array;
    expect(ink[2]).toBe(255);
    expect(ink[4]).toBeGreaterThan(100);
    expect(ink[0]).toBe(0);
  });

  it('fits crops into the 20-pixel box keeping their shape', () => {
    expect(fitToBox(400, 200)).toEqual({ width: 20, height: 10 });
    expect(fitToBox(3, 300)).toEqual({ width: 1, height: 20 });
    expect(fitToBox(7, 7)).toEqual({ width: 20, height: 20 });
  });

  it('centres by mass, not by bounding box, and keeps the digit inside the field', () => {
    // A 4×1 bar whose right end is heavy: the centre of mass is right of the middle.
    const bar = Float32Array.of(0.1, 0.1, 0.1, 1);
    const field = centreByMass(bar, 4, 1);
    expect(Math.abs(centreOfMass(field).x - 14.5)).toBeLessThanOrEqual(0.5);
    const edge = centreByMass(
      Float32Array.of(1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      20,
      1,
    );
    expect(edge[14 * IMAGE_SIZE + 8]).toBe(1); // pushed right to stay inside: columns 8..27
  });
});

describe('resampleArea', () => {
  const full = (size: number) => ({ x: 0, y: 0, width: size, height: size });

  it('averages areas when shrinking, so the mean is kept', () => {
    const source = Float32Array.from({ length: 64 }, (_, i) => (i * 37) % 11);
    const small = resampleArea(source, 8, full(8), 3, 3);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(small)).toBeCloseTo(mean(source), 4);
    expect(Array.from(resampleArea(Float32Array.of(1, 0, 0, 1), 2, full(2), 1, 1))).toEqual([0.5]);
  });

  it('keeps a constant image constant at any scale', () => {
    const source = new Float32Array(25).fill(0.7);
    for (const size of [1, 3, 5, 13, 40]) {
      for (const v of resampleArea(source, 5, full(5), size, size)) expect(v).toBeCloseTo(0.7, 5);
    }
  });

  it('reads only the requested region', () => {
    const source = Uint8Array.of(9, 9, 9, 9, 1, 2, 9, 3, 4);
    expect(Array.from(resampleArea(source, 3, { x: 1, y: 1, width: 2, height: 2 }, 2, 2))).toEqual([
      1, 2, 3, 4,
    ]);
  });
});
