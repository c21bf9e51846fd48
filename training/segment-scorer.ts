/**
 * The number reader's segment score (core/segment-number.ts), fitted on the served weights: numbers are
 * written from MNIST training digits by the seeded number generator of the tests, segmented as the Worker
 * segments them, and every candidate on the right reading is a whole digit; every other candidate (a merged
 * pair, a fragment, a digit with part of its neighbour) is not. The classifier reads a "68" squeezed into
 * one box as a confident 8; the score learns what such a box looks like from the classifier's own features
 * and the box's geometry. Measured on numbers written from the validation digits, never the test digits.
 */
import { softmaxRows } from '../core/confidence.ts';
import { extractInk, NUMBER_WORKING_SIZE } from '../core/extract-ink.ts';
import type { SegmentScorerReport } from '../core/manifest.ts';
import { CLASS_COUNT } from '../core/model-spec.ts';
import {
  type NumberPlan,
  NumberReadError,
  planNumber,
  readPlan,
  segmentFeatures,
} from '../core/segment-number.ts';
import { NUMBER_RENDERERS, writeDigits } from '../test/fixtures/numbers/generate-numbers.ts';
import type { FusedModel, ModelOutputs } from '../worker/model/fused-model.ts';
import type { Subset } from './mnist.ts';
import { createRandom } from './random.ts';
import { fitDetector } from './signals.ts';

export interface SegmentSizes {
  /** Numbers of training digits the score is fitted on. */
  readonly fitNumbers: number;
  /** Numbers of validation digits it is measured on. */
  readonly validationNumbers: number;
}
export const FULL_SEGMENT_SIZES: SegmentSizes = { fitNumbers: 1200, validationNumbers: 300 };
export const QUICK_SEGMENT_SIZES: SegmentSizes = { fitNumbers: 40, validationNumbers: 20 };

/** Shares of touching pairs, in turn: the generator's usual tenth, and touching pairs in bulk. */
const TOUCHING_SHARES = [0.1, 0.3, 0.5] as const;
const FIT_SEED = 31;
export const VALIDATION_SEED = 32;
/** Size of the score's network (the digit detector's shape, on fewer epochs: rows are plentiful). */
const SCORER_SHAPE = { hiddenUnits: 32, epochs: 30, batchSize: 128, learningRate: 0.003, l2: 1e-4 };

export interface SegmentedNumber {
  readonly text: string;
  readonly plan: NumberPlan;
  readonly outputs: ModelOutputs;
  /** Raw softmax of every candidate, as the reader takes them. */
  readonly probabilities: Float32Array;
}

/** `count` numbers of 2 to 8 digits drawn from `subset`, written, segmented and run through the model. */
export function segmentedNumbers(
  model: FusedModel,
  subset: Subset,
  count: number,
  seed: number,
): SegmentedNumber[] {
  const random = createRandom(seed);
  const source = { pixels: subset.source.images, labels: subset.source.labels };
  const numbers: SegmentedNumber[] = [];
  for (let i = 0; i < count; i++) {
    const length = 2 + Math.floor(random() * 7);
    const indices = Array.from(
      { length },
      () => subset.indices[Math.floor(random() * subset.indices.length)] as number,
    );
    const written = writeDigits(source, indices, seed * 100_003 + i, TOUCHING_SHARES[i % 3]);
    const style = i % 4 === 3 ? 'dark-on-light' : 'canvas';
    const map = extractInk(NUMBER_RENDERERS[style](written, createRandom(i)), NUMBER_WORKING_SIZE);
    if (map === null) continue;
    let plan: NumberPlan;
    try {
      plan = planNumber(map);
    } catch (error) {
      if (error instanceof NumberReadError) continue;
      throw error;
    }
    const outputs = model.outputs(plan.inputs, plan.candidates.length);
    const probabilities = softmaxRows(outputs.logits, plan.candidates.length);
    numbers.push({ text: written.text, plan, outputs, probabilities });
  }
  return numbers;
}

/**
 * The candidates of the most likely right reading (each read as its written digit; the most confident such
 * path under the size prior), or null when no partition of the pieces reads the number right.
 */
export function rightReading(plan: NumberPlan, probabilities: Float32Array, text: string): number[] | null {
  const { candidates, pieceCount } = plan;
  const argmax = candidates.map((_, index) => {
    const row = probabilities.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT);
    let digit = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if ((row[c] as number) > (row[digit] as number)) digit = c;
    return digit;
  });
  // best[p][c]: the best path that has read pieces 0..p−1 as the first c digits.
  const best = new Map<number, { score: number; path: number[] }>();
  const key = (piece: number, digits: number) => piece * (text.length + 1) + digits;
  best.set(key(0, 0), { score: 0, path: [] });
  for (let piece = 0; piece < pieceCount; piece++) {
    for (let digits = 0; digits <= text.length; digits++) {
      const here = best.get(key(piece, digits));
      if (here === undefined) continue;
      const offer = (to: number, score: number, path: number[]) => {
        const there = best.get(to);
        if (there === undefined || there.score < score) best.set(to, { score, path });
      };
      if (plan.emptyPieces.includes(piece)) offer(key(piece + 1, digits), here.score, here.path);
      if (digits === text.length) continue;
      candidates.forEach((candidate, index) => {
        if (candidate.first !== piece || String(argmax[index]) !== text[digits]) return;
        const confidence = probabilities[index * CLASS_COUNT + (argmax[index] as number)] as number;
        offer(key(candidate.last + 1, digits + 1), here.score + Math.log(confidence) + candidate.logPrior, [
          ...here.path,
          index,
        ]);
      });
    }
  }
  return best.get(key(pieceCount, text.length))?.path ?? null;
}

/** Fewer whole digits or other candidates than this fit nothing worth serving (a model that reads no number). */
const LEAST_ROWS = 20;

/**
 * Fits the segment score on numbers of `train` digits and measures it on numbers of `validation` digits;
 * undefined when the model reads too few of the numbers right to learn from (numbers are then read by the
 * priors alone).
 */
export function fitSegmentScorer(
  model: FusedModel,
  data: { train: Subset; validation: Subset },
  sizes: SegmentSizes = FULL_SEGMENT_SIZES,
): SegmentScorerReport | undefined {
  const whole: Float64Array[] = [];
  const other: Float64Array[] = [];
  for (const { text, plan, outputs, probabilities } of segmentedNumbers(
    model,
    data.train,
    sizes.fitNumbers,
    FIT_SEED,
  )) {
    const path = rightReading(plan, probabilities, text);
    if (path === null) continue;
    const spans = new Set(
      path.map((index) => `${plan.candidates[index]?.first},${plan.candidates[index]?.last}`),
    );
    plan.candidates.forEach((candidate, index) => {
      const rows = spans.has(`${candidate.first},${candidate.last}`) ? whole : other;
      rows.push(segmentFeatures(plan, index, outputs));
    });
  }
  if (whole.length < LEAST_ROWS || other.length < LEAST_ROWS) return undefined;
  const scorer = fitDetector(whole, other, FIT_SEED, SCORER_SHAPE);

  let before = 0;
  let after = 0;
  const validation = segmentedNumbers(model, data.validation, sizes.validationNumbers, VALIDATION_SEED);
  const readAs = (number: SegmentedNumber, segmentScorer?: typeof scorer) => {
    try {
      return readPlan(number.plan, number.outputs, segmentScorer).text;
    } catch (error) {
      if (error instanceof NumberReadError) return '';
      throw error;
    }
  };
  for (const number of validation) {
    if (readAs(number) === number.text) before++;
    if (readAs(number, scorer) === number.text) after++;
  }
  const share = (count: number) => Number((count / Math.max(1, validation.length)).toFixed(4));
  return {
    ...scorer,
    metrics: {
      fitNumbers: sizes.fitNumbers,
      wholeCandidates: whole.length,
      otherCandidates: other.length,
      validationNumbers: validation.length,
      validationWholeBefore: share(before),
      validationWholeAfter: share(after),
    },
  };
}
