/**
 * Ink extraction for any picture of handwriting, from canvas exports to phone photos of paper: the whole
 * frame in, an `InkMap` of the strokes out (paper brightness, shadows, ruled or squared lines and specks of
 * dirt removed). Then `pickDigit` chooses the digit's strokes for single-digit prediction.
 *
 * Steps: composite transparency and reduce to a working resolution in one pass; decide the ink's polarity
 * (dark on light or light on dark) from which side of the local background has the heavy tail; estimate the
 * paper's own brightness with a grey closing wider than any stroke and divide it out (so light gradients,
 * vignetting and shadows go, and no global threshold is needed); threshold the relative darkening with
 * hysteresis against the noise level (keeps faint and broken strokes joined to strong ones); erase long thin
 * straight lines where nothing crosses them; drop specks. Pure: no DOM, no Node.
 */

import { type InkMap, labelComponents } from './ink-map.ts';
import { boxMean, closing } from './morphology.ts';
import { MIN_INK_CONTRAST, type RgbaImage } from './preprocess.ts';
import type { Region } from './resample.ts';

/** Longest side of the working image: large enough for a digit at 10% of the frame, cheap at 10 ms CPU. */
export const WORK_SIDE = 320;

/** Paper darker than this (grey level) is treated as this bright when measuring relative darkening. */
const DIM_PAPER = 48;

/** Relative darkening (0..1) that counts as ink at least, whatever the noise. */
const MIN_STRONG_INK = 0.1;
const MIN_WEAK_INK = 0.05;
/** Strong and weak thresholds as multiples of the paper's noise (robust sigma). */
const STRONG_SIGMAS = 6;
const WEAK_SIGMAS = 3;
/**
 * …and as shares of the strokes' typical strength, so faint lines and shading fall away beside dark ink. A
 * stroke reaches its typical strength somewhere; the soft corner of a shadow, where the paper estimate
 * could not follow it, peaks at about half of it, so the strong share sits between.
 */
const STRONG_SHARE = 0.7;
const WEAK_SHARE = 0.15;
/** Components lighter than this share of the heaviest are specks. */
const SPECK_SHARE = 0.02;

/**
 * How far a picture is reduced before extraction: at most `maxSide` on the long side and `maxPixels` in
 * all. A single digit needs only WORK_SIDE; a written number is wide, and keeps its height when its area
 * fits the same budget as a square picture (the same CPU cost).
 */
export interface WorkingSize {
  readonly maxSide: number;
  readonly maxPixels: number;
}

const DIGIT_WORKING_SIZE: WorkingSize = { maxSide: WORK_SIDE, maxPixels: WORK_SIDE * WORK_SIDE };
/** A line of up to 16 digits: four times as long, the same number of pixels. */
export const NUMBER_WORKING_SIZE: WorkingSize = { maxSide: 4 * WORK_SIDE, maxPixels: WORK_SIDE * WORK_SIDE };

/** Luminance after compositing transparency, reduced by area to the working size. */
export function workingGrey(
  image: RgbaImage,
  size: WorkingSize = DIGIT_WORKING_SIZE,
): { width: number; height: number; grey: Float32Array } {
  const { width, height, data } = image;
  const scale = Math.min(
    1,
    size.maxSide / Math.max(width, height),
    Math.sqrt(size.maxPixels / (width * height)),
  );
  const workWidth = Math.max(1, Math.round(width * scale));
  const workHeight = Math.max(1, Math.round(height * scale));
  const count = width * height;
  // A canvas export keeps strokes in the alpha channel on transparent black: composite onto the colour
  // that contrasts with the visible ink (white under dark ink, black under light ink).
  let weighted = 0;
  let opacity = 0;
  let translucent = false;
  for (let i = 0; i < count; i++) {
    const alpha = data[4 * i + 3] as number;
    if (alpha === 255) continue;
    translucent = true;
    break;
  }
  if (translucent) {
    for (let i = 0; i < count; i++) {
      const alpha = data[4 * i + 3] as number;
      weighted += alpha * luminance(data, 4 * i);
      opacity += alpha;
    }
  }
  const background = translucent && opacity > 0 && weighted / opacity < 128 ? 255 : 0;
  const sums = new Float32Array(workWidth * workHeight);
  const counts = new Uint32Array(workWidth * workHeight);
  const columnOf = new Int32Array(width);
  for (let x = 0; x < width; x++) columnOf[x] = Math.min(workWidth - 1, Math.floor((x * workWidth) / width));
  for (let y = 0; y < height; y++) {
    const row = Math.min(workHeight - 1, Math.floor((y * workHeight) / height)) * workWidth;
    for (let x = 0; x < width; x++) {
      const o = 4 * (y * width + x);
      let level = luminance(data, o);
      if (translucent) {
        const alpha = (data[o + 3] as number) / 255;
        level = alpha * level + (1 - alpha) * background;
      }
      const cell = row + (columnOf[x] as number);
      sums[cell] = (sums[cell] as number) + level;
      counts[cell] = (counts[cell] as number) + 1;
    }
  }
  for (let i = 0; i < sums.length; i++) sums[i] = (sums[i] as number) / Math.max(1, counts[i] as number);
  return { width: workWidth, height: workHeight, grey: sums };
}

function luminance(data: ArrayLike<number>, offset: number): number {
  return (
    0.299 * (data[offset] as number) +
    0.587 * (data[offset + 1] as number) +
    0.114 * (data[offset + 2] as number)
  );
}

/**
 * True when the ink is lighter than its surroundings (chalk on a board, white on black). Ink is the heavy
 * tail of the difference from the local mean: strokes differ a lot over few pixels, so the sign of the
 * third moment tells the side, and gradual light changes hardly weigh in.
 */
export function isLightInk(grey: Float32Array, width: number, height: number): boolean {
  // Wide enough that a window centred in a fat stroke still sees paper.
  const radius = Math.max(2, Math.round(Math.min(width, height) / 4));
  const local = boxMean(grey, width, height, radius);
  let skew = 0;
  for (let i = 0; i < grey.length; i++) {
    const d = ((grey[i] as number) - (local[i] as number)) / 64;
    skew += d * d * d;
  }
  return skew > 0;
}

/** A value at quantile `q` (0..1) of `values`, through a 256-bin histogram over [0, 1]. */
function quantile(values: Float32Array, q: number, mask?: Uint8Array): number {
  const histogram = new Uint32Array(257);
  let total = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    const bin = Math.min(256, Math.max(0, Math.round((values[i] as number) * 256)));
    histogram[bin] = (histogram[bin] as number) + 1;
    total++;
  }
  if (total === 0) return 0;
  let seen = 0;
  for (let bin = 0; bin <= 256; bin++) {
    seen += histogram[bin] as number;
    if (seen >= q * total) return bin / 256;
  }
  return 1;
}

/**
 * Relative darkening per pixel (0 = paper, 1 = black ink): 1 − grey / background, where the background is
 * a grey closing of the picture with a window of a quarter of its shorter side. Null when
 * nothing differs from the paper by MIN_INK_CONTRAST grey levels (a blank picture).
 */
function relativeInk(
  grey: Float32Array,
  width: number,
  height: number,
  lightInk: boolean,
): Float32Array | null {
  const oriented = lightInk ? grey.map((v) => 255 - v) : grey;
  const radius = Math.max(2, Math.round(Math.min(width, height) / 8));
  const paper = closing(oriented, width, height, radius);
  const ink = new Float32Array(grey.length);
  let contrast = 0;
  for (let i = 0; i < ink.length; i++) {
    const difference = (paper[i] as number) - (oriented[i] as number);
    if (difference > contrast) contrast = difference;
    // Below a dim floor the ratio would turn sensor noise in the dark into ink.
    ink[i] = Math.max(0, Math.min(1, difference / Math.max(DIM_PAPER, paper[i] as number)));
  }
  return contrast < MIN_INK_CONTRAST ? null : ink;
}

/**
 * Erases long, thin, straight lines (ruled and squared paper) from `mask`, near-horizontal ones and, by
 * symmetry, near-vertical ones. A line is a row (at one of a few slopes) covered over a large share of the
 * frame; along it, each short run of ink across the line is erased and each long one (a stroke crossing it)
 * is kept, so the digit is not cut. Within a short run, pixels clearly darker than the line (`ink`, the
 * relative darkening) stay too: a pen stroke running along a faint rule is not part of it.
 */
export function eraseLines(mask: Uint8Array, ink: Float32Array, width: number, height: number): void {
  eraseLinesAlong(mask, ink, width, height, false);
  eraseLinesAlong(mask, ink, width, height, true);
}

/** A pixel this many times darker than its line's typical darkness is a stroke's, not the line's. */
const STROKE_OVER_LINE = 2;

/** Rows tried around a line's predicted row, nearest first. */
const DRIFT = [0, -1, 1];

function eraseLinesAlong(
  mask: Uint8Array,
  ink: Float32Array,
  width: number,
  height: number,
  vertical: boolean,
): void {
  // Work in (u, v): u runs along the line, v across it; pixel index = u·alongStep + v·acrossStep.
  const length = vertical ? height : width;
  const across = vertical ? width : height;
  const alongStep = vertical ? width : 1;
  const acrossStep = vertical ? 1 : width;
  // Coordinates of the ink pixels once, so each tried slope only visits ink.
  let total = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) total++;
  const us = new Int32Array(total);
  const vs = new Int32Array(total);
  for (let i = 0, k = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    const x = i % width;
    const y = (i - x) / width;
    us[k] = vertical ? y : x;
    vs[k] = vertical ? x : y;
    k++;
  }
  const maxSlope = Math.tan((3 * Math.PI) / 180);
  const steps = 6;
  // Offsets are shifted by `across` so that lines starting above the frame still count.
  const counts = new Int32Array(across * 2);
  const bestCounts = new Int32Array(across * 2);
  let bestSlope = 0;
  let bestScore = -1;
  for (let s = -steps; s <= steps; s++) {
    const slope = (s / steps) * maxSlope;
    counts.fill(0);
    for (let k = 0; k < total; k++) {
      const offset = (vs[k] as number) - Math.round((us[k] as number) * slope) + across;
      if (offset >= 0 && offset < counts.length) counts[offset] = (counts[offset] as number) + 1;
    }
    let score = 0;
    for (let i = 0; i < counts.length; i++) score += (counts[i] as number) * (counts[i] as number);
    if (score > bestScore) {
      bestScore = score;
      bestSlope = slope;
      bestCounts.set(counts);
    }
  }
  const minCoverage = 0.4 * length;
  // The thickest line worth erasing: paper lines are thin next to the frame.
  const maxThickness = Math.max(2, Math.round(across / 60));
  const runFrom = new Int32Array(length);
  const runTo = new Int32Array(length);
  const thicknesses = new Int32Array(length);
  const darkness = new Float32Array(length);
  for (let offset = 0; offset < bestCounts.length; offset++) {
    const count = bestCounts[offset] as number;
    if (count < minCoverage) continue;
    if (count < (bestCounts[offset - 1] ?? 0) || count < (bestCounts[offset + 1] ?? 0)) continue;
    // The run of ink across the line at each u where the line has ink (−1: none).
    let runs = 0;
    let first = -1;
    let last = -1;
    for (let u = 0; u < length; u++) {
      runFrom[u] = -1;
      // The slope is quantised, so the line may drift a pixel off its predicted row: look either side.
      const predicted = offset - across + Math.round(u * bestSlope);
      let v = -1;
      for (const d of DRIFT) {
        const w = predicted + d;
        if (w >= 0 && w < across && mask[u * alongStep + w * acrossStep] !== 0) {
          v = w;
          break;
        }
      }
      if (v < 0) continue;
      let from = v;
      let to = v;
      while (from > 0 && mask[u * alongStep + (from - 1) * acrossStep] !== 0) from--;
      while (to < across - 1 && mask[u * alongStep + (to + 1) * acrossStep] !== 0) to++;
      runFrom[u] = from;
      runTo[u] = to;
      // The line's core darkness here: its darkest pixel across.
      let core = 0;
      for (let w = from; w <= to; w++) core = Math.max(core, ink[u * alongStep + w * acrossStep] as number);
      darkness[runs] = core;
      thicknesses[runs++] = to - from + 1;
      if (first < 0) first = u;
      last = u;
    }
    // Paper lines run edge to edge; a long stroke (the 1 of a large digit) does not.
    if (runs === 0 || last - first + 1 < 0.9 * length) continue;
    // The line's thickness: the median run across it, or the lower quartile when the line is whole (ink
    // along nine tenths of it), since a rule through the written digits is crossed by strokes for up to
    // half its length. A row through the digits that is no line has ink along far less of it.
    const whole = runs >= 0.9 * length;
    const typical = thicknesses.slice(0, runs).sort()[Math.floor(runs * (whole ? 0.25 : 0.5))] as number;
    if (typical > maxThickness) continue; // a broad band, not a paper line
    // Runs up to ~2.5× the line's thickness are the line alone; longer ones are strokes crossing it.
    const limit = Math.max(typical + 1, Math.round(typical * 2.5));
    // The line's own darkness: the median core darkness where the run is the line alone.
    let alone = 0;
    for (let k = 0; k < runs; k++)
      if ((thicknesses[k] as number) <= typical) darkness[alone++] = darkness[k] as number;
    const dark = STROKE_OVER_LINE * (darkness.subarray(0, alone).sort()[Math.floor(alone / 2)] as number);
    for (let u = 0; u < length; u++) {
      const from = runFrom[u] as number;
      if (from < 0 || (runTo[u] as number) - from + 1 > limit) continue;
      for (let v = from; v <= (runTo[u] as number); v++) {
        const i = u * alongStep + v * acrossStep;
        if ((ink[i] as number) < dark) mask[i] = 0;
      }
    }
  }
}

/**
 * Extracts the strokes of the whole frame at the working resolution: ink strength 0..255 (255 = the
 * strokes' typical darkness or more), 0 for paper, lines and specks. Returns null for a blank picture.
 *
 * @example
 * const map = extractInk(decoded);          // every stroke in the frame
 * const digit = map && pickDigit(map);      // the digit's strokes only
 */
export function extractInk(image: RgbaImage, size: WorkingSize = DIGIT_WORKING_SIZE): InkMap | null {
  const { width, height, grey } = workingGrey(image, size);
  const ink = relativeInk(grey, width, height, isLightInk(grey, width, height));
  if (ink === null) return null;

  // Paper noise: robust sigma from the median and the median absolute deviation (most pixels are paper).
  const median = quantile(ink, 0.5);
  const deviation = new Float32Array(ink.length);
  for (let i = 0; i < ink.length; i++) deviation[i] = Math.abs((ink[i] as number) - median);
  const sigma = 1.4826 * quantile(deviation, 0.5);
  let strong = Math.max(MIN_STRONG_INK, median + STRONG_SIGMAS * sigma);
  let weak = Math.max(MIN_WEAK_INK, median + WEAK_SIGMAS * sigma);

  const mask = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) if ((ink[i] as number) >= weak) mask[i] = 1;
  eraseLines(mask, ink, width, height);

  // Typical stroke strength: the upper part of what stands out strongly.
  const standout = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) if (mask[i] !== 0 && (ink[i] as number) >= strong) standout[i] = 1;
  const typical = quantile(ink, 0.9, standout);
  if (typical <= 0) return null;
  strong = Math.max(strong, STRONG_SHARE * typical);
  weak = Math.max(weak, WEAK_SHARE * typical);

  // Hysteresis: weak pixels survive when their component holds a strong one.
  const weakMap = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) if (mask[i] !== 0 && (ink[i] as number) >= weak) weakMap[i] = 255;
  const { labels, components } = labelComponents({ width, height, ink: weakMap });
  const peak = new Float32Array(components.length + 1);
  for (let i = 0; i < ink.length; i++) {
    const label = labels[i] as number;
    if (label !== 0 && (ink[i] as number) > (peak[label] as number)) peak[label] = ink[i] as number;
  }
  const mass = new Float32Array(components.length + 1);
  for (let i = 0; i < ink.length; i++) {
    const label = labels[i] as number;
    if (label !== 0) mass[label] = (mass[label] as number) + (ink[i] as number);
  }
  let heaviest = 0;
  for (let label = 1; label <= components.length; label++) {
    if ((peak[label] as number) >= strong) heaviest = Math.max(heaviest, mass[label] as number);
  }
  if (heaviest === 0) return null;
  const keep = new Uint8Array(components.length + 1);
  for (let label = 1; label <= components.length; label++) {
    keep[label] =
      (peak[label] as number) >= strong && (mass[label] as number) >= SPECK_SHARE * heaviest ? 1 : 0;
  }
  const out = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) {
    if (keep[labels[i] as number] !== 1) continue;
    out[i] = Math.min(255, Math.round(((ink[i] as number) / typical) * 255));
  }
  return { width, height, ink: out };
}

/** How far (as a share of the group's longer side) a piece may lie from the digit and still belong to it. */
const JOIN_DISTANCE = 0.3;

/**
 * The digit's strokes in an extracted frame: the heaviest component, joined by every piece lying near the
 * group (broken strokes, a separate bar of a 5 or 7), so that far-away marks stay out. Returns a map of the
 * same size holding only those strokes, and their bounding box; null when the map holds no ink.
 */
export function pickDigit(map: InkMap): { map: InkMap; region: Region } | null {
  const { components, labels } = labelComponents(map);
  if (components.length === 0) return null;
  const order = [...components].sort((a, b) => b.mass - a.mass);
  const first = order[0] as (typeof order)[number];
  const chosen = new Set<number>([first.label]);
  let { x: left, y: top } = first.box;
  let right = first.box.x + first.box.width;
  let bottom = first.box.y + first.box.height;
  for (let changed = true; changed; ) {
    changed = false;
    const reach = JOIN_DISTANCE * Math.max(right - left, bottom - top);
    for (const component of order) {
      if (chosen.has(component.label)) continue;
      const { box } = component;
      const gapX = Math.max(0, left - (box.x + box.width), box.x - right);
      const gapY = Math.max(0, top - (box.y + box.height), box.y - bottom);
      if (Math.hypot(gapX, gapY) > reach) continue;
      chosen.add(component.label);
      left = Math.min(left, box.x);
      top = Math.min(top, box.y);
      right = Math.max(right, box.x + box.width);
      bottom = Math.max(bottom, box.y + box.height);
      changed = true;
    }
  }
  const ink = new Uint8Array(map.ink.length);
  for (let i = 0; i < ink.length; i++) if (chosen.has(labels[i] as number)) ink[i] = map.ink[i] as number;
  return {
    map: { width: map.width, height: map.height, ink },
    region: { x: left, y: top, width: right - left, height: bottom - top },
  };
}
