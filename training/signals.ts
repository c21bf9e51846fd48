/**
 * Fits the served model's trust signals on the validation split and generated non-digits, and measures
 * them on the test digits (pure numerics over arrays; the caller runs the model):
 * - a temperature minimising the validation NLL;
 * - the `uncertain` threshold: the largest calibrated confidence that flags at most 1% of validation digits;
 * - the `isDigit` logistic score: fitted on training digits against fitting-seed non-digits, its threshold
 *   flagging at most 1% of validation digits, evaluated on test digits and evaluation-seed non-digits.
 */
import {
  type DigitDetectorParameters,
  digitScore,
  FEATURE_COUNT,
  softmaxWithTemperature,
} from '../core/confidence.ts';
import { CLASS_COUNT } from '../core/model-spec.ts';

/** Most of the validation digits a signal may flag. */
const MAX_FLAGGED_SHARE = 0.01;

/** Mean negative log-likelihood of `labels` under softmax(logits / temperature). */
export function negativeLogLikelihood(logits: Float32Array, labels: Uint8Array, temperature: number): number {
  let total = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = softmaxWithTemperature(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT), temperature);
    total -= Math.log(Math.max(row[labels[i] as number] as number, 1e-12));
  }
  return total / labels.length;
}

/** The temperature in [0.05, 20] minimising the NLL (golden-section search on log T; NLL is unimodal in T). */
export function fitTemperature(logits: Float32Array, labels: Uint8Array): number {
  let [low, high] = [Math.log(0.05), Math.log(20)];
  const ratio = (Math.sqrt(5) - 1) / 2;
  const nll = (logT: number) => negativeLogLikelihood(logits, labels, Math.exp(logT));
  let a = high - ratio * (high - low);
  let b = low + ratio * (high - low);
  let [fa, fb] = [nll(a), nll(b)];
  for (let i = 0; i < 40; i++) {
    if (fa < fb) {
      high = b;
      [b, fb] = [a, fa];
      a = high - ratio * (high - low);
      fa = nll(a);
    } else {
      low = a;
      [a, fa] = [b, fb];
      b = low + ratio * (high - low);
      fb = nll(b);
    }
  }
  return Math.exp((low + high) / 2);
}

/**
 * The largest threshold t such that at most `maxShare` of `values` are strictly below t (values below it
 * are flagged).
 */
export function thresholdFlagging(values: ArrayLike<number>, maxShare = MAX_FLAGGED_SHARE): number {
  const sorted = Float64Array.from(values).sort();
  const allowed = Math.floor(maxShare * sorted.length);
  return sorted[Math.min(allowed, sorted.length - 1)] as number;
}

export const shareBelow = (values: ArrayLike<number>, threshold: number) => {
  let below = 0;
  for (let i = 0; i < values.length; i++) if ((values[i] as number) < threshold) below++;
  return values.length === 0 ? 0 : below / values.length;
};

/** Calibrated (or raw, T = 1) confidences and correctness of each row of logits. */
export function confidences(logits: Float32Array, labels: Uint8Array, temperature: number) {
  const confidence = new Float64Array(labels.length);
  const correct: boolean[] = [];
  for (let i = 0; i < labels.length; i++) {
    const row = softmaxWithTemperature(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT), temperature);
    let best = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if ((row[c] as number) > (row[best] as number)) best = c;
    confidence[i] = row[best] as number;
    correct.push(best === labels[i]);
  }
  return { confidence, correct };
}

/**
 * L2-regularised logistic regression on standardised features, by full-batch gradient descent with
 * Adam; the two classes weigh the same whatever their counts. `features` are rows of FEATURE_COUNT.
 */
export function fitLogistic(
  positives: readonly Float64Array[],
  negatives: readonly Float64Array[],
  { iterations = 400, learningRate = 0.05, l2 = 1e-3 } = {},
): Omit<DigitDetectorParameters, 'threshold' | 'kind'> {
  const rows = [...positives, ...negatives];
  const mean = new Float64Array(FEATURE_COUNT);
  const scale = new Float64Array(FEATURE_COUNT);
  for (const row of rows)
    for (let f = 0; f < FEATURE_COUNT; f++) mean[f] = (mean[f] as number) + (row[f] as number);
  for (let f = 0; f < FEATURE_COUNT; f++) mean[f] = (mean[f] as number) / rows.length;
  for (const row of rows)
    for (let f = 0; f < FEATURE_COUNT; f++)
      scale[f] = (scale[f] as number) + ((row[f] as number) - (mean[f] as number)) ** 2;
  for (let f = 0; f < FEATURE_COUNT; f++) scale[f] = Math.sqrt((scale[f] as number) / rows.length) || 1;
  const standardised = rows.map((row) =>
    Float64Array.from(row, (v, f) => (v - (mean[f] as number)) / (scale[f] as number)),
  );
  const targets = rows.map((_, i) => (i < positives.length ? 1 : 0));
  const sampleWeight = rows.map((_, i) =>
    i < positives.length ? 0.5 / positives.length : 0.5 / negatives.length,
  );
  const weights = new Float64Array(FEATURE_COUNT);
  let bias = 0;
  const m = new Float64Array(FEATURE_COUNT + 1);
  const v = new Float64Array(FEATURE_COUNT + 1);
  const gradient = new Float64Array(FEATURE_COUNT + 1);
  for (let step = 1; step <= iterations; step++) {
    gradient.fill(0);
    for (let i = 0; i < standardised.length; i++) {
      const x = standardised[i] as Float64Array;
      let z = bias;
      for (let f = 0; f < FEATURE_COUNT; f++) z += (weights[f] as number) * (x[f] as number);
      const error = (1 / (1 + Math.exp(-z)) - (targets[i] as number)) * (sampleWeight[i] as number);
      for (let f = 0; f < FEATURE_COUNT; f++)
        gradient[f] = (gradient[f] as number) + error * (x[f] as number);
      gradient[FEATURE_COUNT] = (gradient[FEATURE_COUNT] as number) + error;
    }
    for (let f = 0; f <= FEATURE_COUNT; f++) {
      const g = (gradient[f] as number) + (f < FEATURE_COUNT ? l2 * (weights[f] as number) : 0);
      m[f] = 0.9 * (m[f] as number) + 0.1 * g;
      v[f] = 0.999 * (v[f] as number) + 0.001 * g * g;
      const update =
        (learningRate * ((m[f] as number) / (1 - 0.9 ** step))) /
        (Math.sqrt((v[f] as number) / (1 - 0.999 ** step)) + 1e-8);
      if (f < FEATURE_COUNT) weights[f] = (weights[f] as number) - update;
      else bias -= update;
    }
  }
  const round = (values: Float64Array) => Array.from(values, (x) => Number(x.toPrecision(7)));
  return {
    mean: round(mean),
    scale: round(scale),
    weights: round(weights),
    bias: Number(bias.toPrecision(7)),
  };
}

export const scoresOf = (
  detector: DigitDetectorParameters | Omit<DigitDetectorParameters, 'threshold' | 'kind'>,
  rows: readonly Float64Array[],
) =>
  Float64Array.from(rows, (row) =>
    digitScore({ ...detector, kind: 'logistic-hidden-energy-ink/1', threshold: 0 }, row),
  );

export interface ReliabilityBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  readonly meanConfidence: number;
  readonly accuracy: number;
}

/** Predictions grouped by confidence into `bins` equal bins, as the ECE counts them (empty bins kept). */
export function reliabilityBins(
  confidence: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = 15,
): ReliabilityBin[] {
  const result = Array.from({ length: bins }, (_, b) => ({
    from: b / bins,
    to: (b + 1) / bins,
    count: 0,
    confidence: 0,
    correct: 0,
  }));
  for (let i = 0; i < confidence.length; i++) {
    const value = confidence[i] as number;
    const bin = result[
      Math.min(bins - 1, Math.max(0, Math.ceil(value * bins) - 1))
    ] as (typeof result)[number];
    bin.count++;
    bin.confidence += value;
    if (correct[i]) bin.correct++;
  }
  return result.map((b) => ({
    from: b.from,
    to: b.to,
    count: b.count,
    meanConfidence: b.count ? b.confidence / b.count : 0,
    accuracy: b.count ? b.correct / b.count : 0,
  }));
}
