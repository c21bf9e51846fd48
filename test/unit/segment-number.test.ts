// The full tfjs package registers the CPU backend the committed model runs on here.
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { readCommittedModel } from '../../bench/lib/committed-model.ts';
import { extractInk, NUMBER_WORKING_SIZE } from '../../core/extract-ink.ts';
import type { InkMap } from '../../core/ink-map.ts';
import { CLASS_COUNT } from '../../core/model-spec.ts';
import {
  type AnsweredDigit,
  chooseReading,
  inkMapFromBitmap,
  MAX_WORKING_PIXELS,
  NUMBER_UNCERTAIN_BELOW,
  type NumberPlan,
  NumberReadError,
  planNumber,
  readingUncertain,
  readPlan,
  scaleBox,
  shrinkInkMap,
  WHOLE_DIGIT_BELOW,
} from '../../core/segment-number.ts';
import { createRandom } from '../../training/random.ts';
import { createFusedModel } from '../../worker/model/fused-model.ts';
import { readMnistTestDigits } from '../fixtures/mnist-idx.ts';
import { canvasExport, withBlot, withDash, writeDigits } from '../fixtures/numbers/generate-numbers.ts';

/** A blank map with filled rectangles of full ink. */
function drawRects(width: number, height: number, rects: [number, number, number, number][]): InkMap {
  const ink = new Uint8Array(width * height);
  for (const [x, y, w, h] of rects)
    for (let row = y; row < y + h; row++) ink.fill(255, row * width + x, row * width + x + w);
  return { width, height, ink };
}

/** A ring (a drawn 0): the outline of a w × h box, `stroke` pixels thick. */
const ring = (x: number, y: number, w: number, h: number, stroke = 4): [number, number, number, number][] => [
  [x, y, w, stroke],
  [x, y + h - stroke, w, stroke],
  [x, y, stroke, h],
  [x + w - stroke, y, stroke, h],
];

/**
 * A stand-in model's output: each candidate's class and its probability from `read`, `rest` on every other
 * class.
 */
function standInModel(
  plan: NumberPlan,
  rest: number,
  read: (candidate: NumberPlan['candidates'][number], index: number) => readonly [digit: number, p: number],
): Float32Array {
  const probabilities = new Float32Array(plan.candidates.length * CLASS_COUNT).fill(rest);
  plan.candidates.forEach((candidate, i) => {
    const [digit, p] = read(candidate, i);
    probabilities[i * CLASS_COUNT + digit] = p;
  });
  return probabilities;
}

/**
 * Probabilities from a stand-in for the model that knows what a ring looks like: confident where a candidate
 * is about as wide as a drawn ring (30 px here), unsure otherwise, always answering `digit`.
 */
function ringScorer(plan: NumberPlan, digit = 0): Float32Array {
  const probabilities = new Float32Array(plan.candidates.length * CLASS_COUNT);
  plan.candidates.forEach((candidate, i) => {
    const confidence = Math.abs(candidate.box.width - 30) <= 3 ? 0.99 : 0.3;
    probabilities.fill((1 - confidence) / (CLASS_COUNT - 1), i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
    probabilities[i * CLASS_COUNT + digit] = confidence;
  });
  return probabilities;
}

describe('scaleBox', () => {
  it('maps a box between grids of the same picture, rounding outwards and clamping', () => {
    expect(
      scaleBox({ x: 1, y: 1, width: 2, height: 2 }, { width: 4, height: 4 }, { width: 8, height: 8 }),
    ).toEqual({
      x: 2,
      y: 2,
      width: 4,
      height: 4,
    });
    expect(
      scaleBox({ x: 1, y: 0, width: 1, height: 3 }, { width: 3, height: 3 }, { width: 10, height: 10 }),
    ).toEqual({
      x: 3,
      y: 0,
      width: 4,
      height: 10,
    });
  });
});

describe('planNumber', () => {
  it('refuses a map without ink', () => {
    expect(() => planNumber({ width: 20, height: 10, ink: new Uint8Array(200) })).toThrow(NumberReadError);
  });

  it('reads separate rings as separate digits, left to right, and ignores a speck', () => {
    const map = drawRects(200, 60, [
      ...ring(10, 10, 30, 40),
      ...ring(60, 12, 30, 40),
      ...ring(120, 8, 30, 40),
      [100, 55, 2, 2],
    ]);
    const plan = planNumber(map);
    const reading = chooseReading(plan, ringScorer(plan));
    expect(reading.text).toBe('000');
    expect(reading.digits.map((d) => d.box.x)).toEqual([10, 60, 120]);
    expect(reading.confidence).toBeCloseTo(0.99 ** 3, 6);
    // The speck is in no candidate.
    for (const candidate of plan.candidates)
      expect(candidate.box.y + candidate.box.height).toBeLessThanOrEqual(52);
  });

  it("drops dirt beside, above and below the line (a photo's specks), but keeps a digit's broken-off bit", () => {
    const map = drawRects(260, 70, [
      [2, 30, 6, 6], // a speck before the number, in the line's band
      ...ring(20, 15, 30, 40),
      [70, 40, 5, 6], // between two digits
      ...ring(90, 15, 30, 40),
      [100, 66, 5, 4], // well below the middle ring, in its columns
      [150, 3, 6, 5], // off the digits' columns, above the line
      ...ring(180, 15, 30, 40),
      [192, 58, 6, 6], // below the last ring, in its columns: a broken-off end, kept with it
    ]);
    const plan = planNumber(map);
    const reading = chooseReading(plan, ringScorer(plan));
    expect(reading.text).toBe('000');
    expect(reading.digits.map((d) => d.box.x)).toEqual([20, 90, 180]);
    expect(reading.digits[1]?.box.height).toBe(40);
    expect(reading.digits[2]?.box.y).toBe(15);
    expect(reading.digits[2]?.box.height).toBe(49);
  });

  it("drops a paper rule's remains running into the picture's edge, but not a thin 1 against the edge", () => {
    const map = drawRects(200, 100, [
      [3, 0, 3, 100], // a rule's remains from top to bottom edge, beside the number
      ...ring(30, 0, 30, 40),
      [80, 0, 4, 40], // a thin 1 as tall as the ring, touching the top edge
      ...ring(110, 0, 30, 40),
    ]);
    const plan = planNumber(map);
    const reading = chooseReading(
      plan,
      standInModel(plan, 0.01, (candidate) => (candidate.box.width < 10 ? [1, 0.91] : [0, 0.91])),
    );
    expect(reading.text).toBe('010');
    expect(reading.digits.map((d) => d.box.x)).toEqual([30, 80, 110]);
  });

  it('keeps the pieces of one digit together: a bar over a body is one candidate', () => {
    // A 5-like digit: a separate top bar overlapping the body horizontally.
    const map = drawRects(80, 70, [[22, 5, 28, 4], ...ring(20, 20, 30, 40)]);
    const plan = planNumber(map);
    const whole = plan.candidates.find((c) => c.box.y === 5 && c.box.height === 55);
    expect(whole).toBeDefined();
    // A slice of the bar alone may be a candidate, but its size prior all but rules it out as a digit.
    for (const candidate of plan.candidates.filter((c) => c.box.height <= 4)) {
      expect(candidate.logPrior).toBeLessThan(Math.log(0.01));
    }
  });

  it('reads one flat digit, 1.5 times as wide as tall, as one digit when the classifier is sure of it, not of its halves', () => {
    // A flat 0 (MNIST has them): its halves must not win against the whole for want of a whole candidate.
    const map = drawRects(120, 70, ring(10, 10, 75, 50));
    const plan = planNumber(map);
    const whole = plan.candidates.findIndex((c) => c.box.x === 10 && c.box.width === 75);
    expect(whole).toBeGreaterThanOrEqual(0);
    // Halves look like a 6 at best; the whole is a sure 0.
    const probabilities = standInModel(plan, 0.7 / (CLASS_COUNT - 1), (_, i) =>
      i === whole ? [0, 0.95] : [6, 0.3],
    );
    expect(chooseReading(plan, probabilities).text).toBe('0');
  });

  it('does not read a mark with far too little ink for a 1 as a 1 of its own', () => {
    // A 0 and, 2 px right of it, a faint stroke as tall as the 0 and about as wide as a 1 (a sliver left
    // between cuts has as little ink): a twelfth of the ink a 1 of this line would have.
    const map = drawRects(80, 60, ring(10, 10, 30, 40));
    for (let y = 12; y < 48; y++) map.ink.fill(25, y * 80 + 42, y * 80 + 48);
    const plan = planNumber(map);
    const faint = plan.candidates.findIndex((c) => c.box.x === 42 && c.box.width === 6);
    expect(faint).toBeGreaterThanOrEqual(0);
    // A stand-in model sure of everything: the faint stroke is a 1, anything else a 0.
    const probabilities = standInModel(plan, 0.01 / (CLASS_COUNT - 1), (_, i) => [i === faint ? 1 : 0, 0.99]);
    // Without the ink prior this read "01": two sure digits beat one sure digit with a join.
    expect(chooseReading(plan, probabilities).text).toBe('0');
  });

  it('splits touching digits at the joint, choosing by the classifier', () => {
    // Two rings joined by a short bridge: one component.
    const map = drawRects(120, 60, [...ring(10, 10, 30, 40), [40, 28, 6, 4], ...ring(46, 10, 30, 40)]);
    const plan = planNumber(map);
    const reading = chooseReading(plan, ringScorer(plan));
    expect(reading.text).toBe('00');
    expect(reading.digits[0]?.box.x).toBe(10);
    expect(Math.abs((reading.digits[1]?.box.x ?? 0) - 46)).toBeLessThanOrEqual(6);
  });

  it("weighs each candidate's log-prior from the segment score into the choice", () => {
    // Two rings joined by a bridge, and a stand-in model as sure of the merged pair (an 8) as of either ring.
    const map = drawRects(120, 60, [...ring(10, 10, 30, 40), [40, 28, 6, 4], ...ring(46, 10, 30, 40)]);
    const plan = planNumber(map);
    const merged = plan.candidates.findIndex((c) => c.box.x === 10 && c.box.width === 66);
    expect(merged).toBeGreaterThanOrEqual(0);
    const probabilities = standInModel(plan, 0.001, (c, i) =>
      i === merged ? [8, 0.99] : Math.abs(c.box.width - 30) <= 6 ? [0, 0.99] : [0, 0.2],
    );
    const priors = new Float64Array(plan.candidates.length);
    priors[merged] = 5;
    expect(chooseReading(plan, probabilities, priors).text).toBe('8');
    priors[merged] = -5; // a segment score sure that the wide box is not one digit
    expect(chooseReading(plan, probabilities, priors).text).toBe('00');
  });

  it("measures a digit's ink per digit, not per mark, where every pair touches", () => {
    // Two pairs of touching rings: both marks hold two digits, so one ring has half a mark's ink. Measured per
    // mark, every ring cut out of them looked like half a digit, and the merged pairs like whole ones.
    const pair = (x: number) => [...ring(x, 10, 30, 40), [x + 30, 28, 6, 4], ...ring(x + 36, 10, 30, 40)];
    const map = drawRects(170, 60, [...pair(10), ...pair(95)] as [number, number, number, number][]);
    const plan = planNumber(map);
    const oneRing = plan.candidates.find((c) => c.box.x === 10 && Math.abs(c.box.width - 30) <= 6);
    expect(oneRing?.inkShare).toBeGreaterThan(0.8);
    expect(oneRing?.inkShare).toBeLessThan(1.25);
  });

  it('cuts leaning digits that touch along a leaning path, not a straight column', () => {
    // Two strokes leaning right (a "11" written with a slant), joined at the bottom: no column parts them.
    const rects: [number, number, number, number][] = [[13, 46, 11, 3]];
    for (let y = 10; y < 50; y++) {
      const shift = Math.round((50 - y) / 4);
      rects.push([10 + shift, y, 4, 1], [22 + shift, y, 4, 1]);
    }
    const plan = planNumber(drawRects(70, 60, rects));
    // A stand-in model: sure of a "1" that is one whole stroke (one run of ink in every row of its input).
    const oneStroke = (input: Float32Array): boolean => {
      for (let y = 0; y < 28; y++) {
        let runs = 0;
        for (let x = 0; x < 28; x++) {
          if ((input[y * 28 + x] as number) > 0.3 && (x === 0 || (input[y * 28 + x - 1] as number) <= 0.3))
            runs++;
        }
        if (runs > 1) return false;
      }
      return true;
    };
    const probabilities = standInModel(plan, 0.05, (candidate, i) => [
      1,
      oneStroke(plan.inputs.subarray(i * 784, (i + 1) * 784)) && candidate.box.height >= 38 ? 0.95 : 0.3,
    ]);
    const reading = chooseReading(plan, probabilities);
    expect(reading.text).toBe('11');
    // Each stroke whole: the first reaches its top right end, the second starts at its bottom left.
    expect(reading.digits[0]?.box).toMatchObject({ x: 10, width: 14 });
    expect(reading.digits[1]?.box.x).toBeGreaterThanOrEqual(20);
  });

  it('refuses far more separate marks than 16 digits could make', () => {
    const bars = Array.from({ length: 60 }, (_, i): [number, number, number, number] => [
      10 + i * 12,
      5,
      3,
      30,
    ]);
    expect(() => planNumber(drawRects(740, 40, bars))).toThrow(/marks/);
  });

  it('answers too_many_digits when the best reading has more than 16 digits', () => {
    const rings = Array.from({ length: 17 }, (_, i) => ring(10 + i * 45, 10, 30, 40)).flat();
    const plan = planNumber(drawRects(10 + 17 * 45, 60, rings));
    expect(() => chooseReading(plan, ringScorer(plan))).toThrow(
      expect.objectContaining({ reason: 'too_many_digits' }),
    );
  });

  it('reads a grey bitmap at the pixel budget a picture is extracted at', () => {
    const small = inkMapFromBitmap(3, 2, [0, 0.5, 1, 1, 0.2, 0]);
    expect(Array.from(small.ink)).toEqual([0, 128, 255, 255, 51, 0]);
    // A bitmap as large as /api/read takes, all ink: segmented at full size it took seconds.
    const large = inkMapFromBitmap(2048, 512, new Array(2048 * 512).fill(1));
    expect(large.width * large.height).toBeLessThanOrEqual(NUMBER_WORKING_SIZE.maxPixels);
    expect(large.width / large.height).toBeCloseTo(4, 1);
    expect(large.ink.every((value) => value === 255)).toBe(true);
  });

  it('segments a large map on a shrunk copy and says so', () => {
    const map = drawRects(3000, 600, [...ring(100, 100, 300, 400, 40), ...ring(600, 100, 300, 400, 40)]);
    expect(map.width * map.height).toBeGreaterThan(MAX_WORKING_PIXELS);
    const plan = planNumber(map);
    expect(plan.size.width * plan.size.height).toBeLessThanOrEqual(MAX_WORKING_PIXELS);
    expect(shrinkInkMap(map).width).toBe(plan.size.width);
    const first = plan.candidates[0];
    expect(first && scaleBox(first.box, plan.size, map).x).toBeLessThanOrEqual(100);
  });
});

describe('readingUncertain', () => {
  const sure = { confidence: 0.99, uncertain: false, isDigit: true, whole: 0.9 };
  /** A reading of these digits, its confidence the product of theirs as the API reports it. */
  const of = (...digits: AnsweredDigit[]) => ({
    digits,
    confidence: digits.reduce((product, d) => product * d.confidence, 1),
  });

  it('passes a reading whose digits are sure, whole and digit-like', () => {
    expect(readingUncertain(of(sure, sure, sure))).toBe(false);
    // A model without a segment score or a detector: only the confidences count.
    expect(readingUncertain(of({ confidence: 0.99, uncertain: false, isDigit: null }))).toBe(false);
  });

  it('flags a reading with one uncertain digit, or one that is not a digit', () => {
    expect(readingUncertain(of(sure, { ...sure, uncertain: true }))).toBe(true);
    expect(readingUncertain(of({ ...sure, isDigit: false }, sure))).toBe(true);
  });

  it('flags a number whose digits are each fairly sure but not all of them together', () => {
    const fairly = { ...sure, confidence: 0.97 };
    // 0.97⁴ = 0.885: under the threshold, though no digit is.
    expect(0.97 ** 4).toBeLessThan(NUMBER_UNCERTAIN_BELOW);
    expect(readingUncertain(of(fairly, fairly))).toBe(false);
    expect(readingUncertain(of(fairly, fairly, fairly, fairly))).toBe(true);
  });

  it('flags a confident digit whose box the segment score doubts holds one whole digit', () => {
    expect(readingUncertain(of(sure, { ...sure, whole: WHOLE_DIGIT_BELOW / 2 }))).toBe(true);
    expect(readingUncertain(of(sure, { ...sure, whole: WHOLE_DIGIT_BELOW * 2 }))).toBe(false);
  });
});

describe('reading touching MNIST digits with the committed model', () => {
  /** Reads MNIST test digits (by index), every neighbour touching, laid out by the number generator with a seed. */
  async function readTouching(cases: readonly (readonly [number[], number])[]): Promise<string[][]> {
    await tf.setBackend('cpu');
    const model = createFusedModel((await readCommittedModel()).weights);
    const mnist = readMnistTestDigits(10_000);
    return cases.map(([digits, seed]) => {
      const written = writeDigits(mnist, digits, seed, 1);
      expect(written.touching.every(Boolean)).toBe(true);
      const map = extractInk(canvasExport(written, createRandom(0)), NUMBER_WORKING_SIZE);
      if (map === null) throw new Error('no ink');
      const plan = planNumber(map);
      return [written.text, chooseReading(plan, model.predict(plan.inputs, plan.candidates.length)).text];
    });
  }

  it('gives each chosen box the segment score’s probability of one whole digit, with a score only', async () => {
    await tf.setBackend('cpu');
    const committed = await readCommittedModel();
    const model = createFusedModel(committed.weights);
    const written = writeDigits(readMnistTestDigits(10_000), [5072, 4863, 1989], 14, 0);
    const map = extractInk(canvasExport(written, createRandom(0)), NUMBER_WORKING_SIZE);
    if (map === null) throw new Error('no ink');
    const plan = planNumber(map);
    const outputs = model.outputs(plan.inputs, plan.candidates.length);
    const scored = readPlan(plan, outputs, committed.manifest.segmentScorer);
    expect(scored.text).toBe(written.text);
    for (const digit of scored.digits) {
      expect(digit.whole).toBeGreaterThan(WHOLE_DIGIT_BELOW);
      expect(digit.whole).toBeLessThanOrEqual(1);
    }
    expect(readPlan(plan, outputs).digits.map((d) => d.whole)).toEqual([undefined, undefined, undefined]);
  });

  it('reads a blot the size of a digit as one mark, not cut into strips that each read as a sure 1', async () => {
    await tf.setBackend('cpu');
    const model = createFusedModel((await readCommittedModel()).weights);
    const written = writeDigits(readMnistTestDigits(10_000), [5072, 4863, 1989], 14, 0);
    const blotted = withBlot(written);
    const plan = planNumber(inkMapFromBitmap(blotted.width, blotted.height, blotted.ink));
    const reading = readPlan(plan, model.outputs(plan.inputs, plan.candidates.length));
    // Read as "184" and four 1s when a cut could go through any depth of ink.
    expect(reading.text).toHaveLength(written.text.length + 1);
    expect(reading.text.startsWith(written.text)).toBe(true);
    expect(reading.digits.at(-1)?.box.width).toBeGreaterThanOrEqual(blotted.blot.width * 0.9);
  });

  it('drops a dash between two groups of digits, as it drops a decimal point', async () => {
    await tf.setBackend('cpu');
    const model = createFusedModel((await readCommittedModel()).weights);
    const source = readMnistTestDigits(10_000);
    for (const [left, right, seed] of [
      [[5072, 4863], [1989, 7980], 14],
      [[3454], [5967, 9958, 1908], 21],
    ] as const) {
      const joined = withDash(writeDigits(source, left, seed), writeDigits(source, right, seed + 1));
      const plan = planNumber(inkMapFromBitmap(joined.width, joined.height, joined.ink));
      const reading = readPlan(plan, model.outputs(plan.inputs, plan.candidates.length));
      // Read with a 2 in the middle ("18218") before dashes were told apart.
      expect(reading.digits).toHaveLength(left.length + right.length);
      for (const digit of reading.digits)
        expect(
          digit.box.x >= joined.dash.x + joined.dash.width || digit.box.x + digit.box.width <= joined.dash.x,
        ).toBe(true);
    }
  });

  // Digits of the tuning range (1000+), where the segmentation was tuned.
  it('reads a confident merge of two touching digits as the two digits it is made of', async () => {
    // Read as "4", "4", "8" and "8" when a confident one-digit reading of both beat two digits and a cut.
    const read = await readTouching([
      [[5072, 4863], 14],
      [[1989, 7980], 33],
      [[3454, 5967], 145],
      [[9958, 1908], 21],
    ]);
    expect(read).toEqual([
      ['18', '18'],
      ['41', '41'],
      ['18', '18'],
      ['76', '76'],
    ]);
  });

  it('cuts along the seam between overlapping strokes, so neither digit loses its stroke', async () => {
    // Read as "63", "6" and "4" when cuts paid ink, not ink squared, and could not reach the seam. (A fourth
    // pair, digits 2070 and 7305, read right with the model served before b3f52f60 and reads "6" with it.)
    const read = await readTouching([
      [[7442, 6511], 24],
      [[8219, 8769], 31],
      [[1357, 8692], 54],
    ]);
    expect(read).toEqual([
      ['13', '13'],
      ['16', '16'],
      ['41', '41'],
    ]);
  });

  it('cuts along a seam that leaves no valley in the ink profile: a 1 leaning against its neighbour', async () => {
    // Read as "4", "1", "7" and "2" before seams were looked for in every mark: the two strokes lean side by
    // side, so their columns overlap and the profile has no valley, and the "11"s are narrower than a digit
    // is wide, so they got no grid starts either.
    const read = await readTouching([
      [[1791, 1214], 2],
      [[1643, 1201], 5],
      [[1505, 1214], 5],
      [[1451, 1830], 7],
    ]);
    expect(read).toEqual([
      ['11', '11'],
      ['11', '11'],
      ['71', '71'],
      ['21', '21'],
    ]);
  });

  it('reads a small digit pressed between two others, where the three are one mark', async () => {
    // Read as "22", "782" and "7702" when cut pieces and a neighbour's stray ends were measured against the
    // whole mark's ink (three digits' worth): the small 7 was a stray of the 0, or its pieces too small.
    const read = await readTouching([
      [[1772, 1061, 1518], 1],
      [[1772, 1061, 1518], 14],
      [[1772, 1061, 1518], 36],
    ]);
    expect(read).toEqual([
      ['702', '702'],
      ['702', '702'],
      ['702', '702'],
    ]);
  });
});
