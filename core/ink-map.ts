/**
 * The ink map, the hand-off between finding ink in an image (`core/preprocess.ts`, and the photo extraction
 * built on it) and turning ink into model inputs (one digit, or each digit of a number): its type, connected
 * components over it, and the MNIST steps from a region of ink to the 28×28 field. Pure: no DOM, no Node.
 */

import { IMAGE_SIZE, PIXEL_COUNT } from './model-spec.ts';
import { type Region, resampleArea } from './resample.ts';

/** The digit is scaled to fit this box, then centred in the 28×28 field (as MNIST did). */
export const DIGIT_BOX = 20;

/** Ink strength per pixel, 0 = paper and 255 = full ink, one byte each, row by row. */
export interface InkMap {
  readonly width: number;
  readonly height: number;
  readonly ink: Uint8Array;
}

/** One 8-connected region of ink: its label in `labels`, pixel count, bounding box and ink totals. */
interface Component {
  readonly label: number;
  /** Pixels in the component. */
  readonly area: number;
  /** Sum of the ink strengths (0..255 each) of its pixels. */
  readonly mass: number;
  /** Ink-weighted centre, in pixel-centre coordinates. */
  readonly centreX: number;
  readonly centreY: number;
  readonly box: Region;
}

export interface Components {
  /** Per pixel: 0 for no ink, otherwise the 1-based label of its component. */
  readonly labels: Int32Array;
  /** Indexed by label − 1. */
  readonly components: readonly Component[];
}

/**
 * Labels the 8-connected components of the pixels whose ink is at least `threshold` (1 = any ink).
 * Iterative flood fill with one explicit stack, so a large stroke cannot overflow the call stack.
 *
 * @example labelComponents({ width: 3, height: 1, ink: Uint8Array.of(9, 0, 9) }).components.length // → 2
 */
export function labelComponents(map: InkMap, threshold = 1): Components {
  const { width, height, ink } = map;
  const labels = new Int32Array(width * height);
  const stack = new Int32Array(width * height);
  const components: Component[] = [];
  for (let start = 0; start < ink.length; start++) {
    if (labels[start] !== 0 || (ink[start] as number) < threshold) continue;
    const label = components.length + 1;
    labels[start] = label;
    let top = 0;
    stack[top++] = start;
    let area = 0;
    let mass = 0;
    let sumX = 0;
    let sumY = 0;
    let left = width;
    let right = -1;
    let upper = height;
    let lower = -1;
    while (top > 0) {
      const index = stack[--top] as number;
      const x = index % width;
      const y = (index - x) / width;
      const value = ink[index] as number;
      area++;
      mass += value;
      sumX += value * x;
      sumY += value * y;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < upper) upper = y;
      if (y > lower) lower = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const next = ny * width + nx;
          if (labels[next] !== 0 || (ink[next] as number) < threshold) continue;
          labels[next] = label;
          stack[top++] = next;
        }
      }
    }
    components.push({
      label,
      area,
      mass,
      centreX: mass > 0 ? sumX / mass : (left + right) / 2,
      centreY: mass > 0 ? sumY / mass : (upper + lower) / 2,
      box: { x: left, y: upper, width: right - left + 1, height: lower - upper + 1 },
    });
  }
  return { labels, components };
}

/** The smallest rectangle holding every non-zero pixel, or null when there is none. */
export function inkBounds(ink: Uint8Array, width: number, height: number): Region | null {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      if (ink[row + x] === 0) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  return right < 0 ? null : { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/** Box size for a `width × height` crop scaled so its longer side is DIGIT_BOX, aspect ratio kept. */
export function fitToBox(width: number, height: number): { width: number; height: number } {
  const scale = DIGIT_BOX / Math.max(width, height);
  return {
    width: Math.max(1, Math.min(DIGIT_BOX, Math.round(width * scale))),
    height: Math.max(1, Math.min(DIGIT_BOX, Math.round(height * scale))),
  };
}

/**
 * Places a `width × height` digit (values 0..1) in the 28×28 field so that its centre of mass lands at the
 * centre of pixel (14, 14) as in MNIST, shifted by whole pixels and kept entirely inside the field.
 */
export function centreByMass(digit: Float32Array, width: number, height: number): Float32Array {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const value = digit[y * width + x] as number;
      mass += value;
      sumX += value * (x + 0.5);
      sumY += value * (y + 0.5);
    }
  }
  // MNIST's centres of mass sit on pixel (14, 14), i.e. at 14.5 in pixel-edge coordinates.
  const centre = IMAGE_SIZE / 2 + 0.5;
  const place = (sum: number, size: number): number =>
    Math.min(IMAGE_SIZE - size, Math.max(0, Math.round(centre - (mass > 0 ? sum / mass : size / 2))));
  const left = place(sumX, width);
  const top = place(sumY, height);
  const field = new Float32Array(PIXEL_COUNT);
  for (let y = 0; y < height; y++) {
    field.set(digit.subarray(y * width, (y + 1) * width), (top + y) * IMAGE_SIZE + left);
  }
  return field;
}

/**
 * MNIST's steps from ink to the model's input: crop to the ink inside `region` (the whole map by default),
 * scale it into the 20×20 box keeping its aspect ratio, re-stretch so the strongest ink is 1, and centre it
 * by mass in 28×28. Returns 784 values in [0, 1], ink = 1, or null when the region holds no ink.
 */
export function mnistFromInk(map: InkMap, region?: Region): Float32Array | null {
  const area = region ?? { x: 0, y: 0, width: map.width, height: map.height };
  let bounds: Region | null;
  if (region === undefined) {
    bounds = inkBounds(map.ink, map.width, map.height);
  } else {
    const crop = new Uint8Array(area.width * area.height);
    for (let y = 0; y < area.height; y++) {
      const from = (area.y + y) * map.width + area.x;
      crop.set(map.ink.subarray(from, from + area.width), y * area.width);
    }
    const local = inkBounds(crop, area.width, area.height);
    bounds = local && { ...local, x: local.x + area.x, y: local.y + area.y };
  }
  if (bounds === null) return null;
  const box = fitToBox(bounds.width, bounds.height);
  const digit = resampleArea(map.ink, map.width, bounds, box.width, box.height);
  // Re-stretch after scaling: shrinking a large drawing thins its strokes to grey, MNIST's are solid.
  let strongest = 0;
  for (const value of digit) if (value > strongest) strongest = value;
  if (strongest <= 0) return null;
  for (let i = 0; i < digit.length; i++) digit[i] = Math.min(1, (digit[i] as number) / strongest);
  return centreByMass(digit, box.width, box.height);
}
