/**
 * Fits the served model's trust signals on the validation split and generated non-digits, and measures
 * them on the test digits (pure numerics over arrays; the caller runs the model):
 * - a temperature minimising the validation NLL;
 * - the `uncertain` threshold: the largest calibrated confidence that flags at most 1% of validation digits;
 * - the `isDigit` score (a small ReLU network): fitted on training digits against fitting-seed non-digits, its
 *   threshold flagging few enough validation digits that at most 1% of unseen digits are flagged with 95%
 *   confidence (shareWithMargin), evaluated on test digits and evaluation-seed non-digits.
 */
import {
  digitScore,
  FEATURE_COUNT,
  type ScoreParameters,
  softmaxWithTemperature,
} from '../core/confidence.ts';
import { CLASS_COUNT } from '../core/model-spec.ts';
import { createRandom, shuffleInPlace } from './random.ts';

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

/**
 * The share of `count` validation digits a threshold may flag so that, with 95% confidence (one-sided normal
 * bound), at most `maxShare` of unseen digits are flagged. The isDigit threshold uses it: its target is a
 * share of the test digits, which the validation split only estimates (±0.14% at 1% of 5,000).
 */
export function shareWithMargin(count: number, maxShare = MAX_FLAGGED_SHARE): number {
  let [low, high] = [0, maxShare];
  for (let i = 0; i < 50; i++) {
    const p = (low + high) / 2;
    if (p + 1.645 * Math.sqrt((p * (1 - p)) / count) <= maxShare) low = p;
    else high = p;
  }
  return low;
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

/** Size and schedule of the `isDigit` network (chosen on a held-out share of the fitting set, see docs/model.md). */
const DETECTOR_SHAPE = { hiddenUnits: 32, epochs: 60, batchSize: 128, learningRate: 0.003, l2: 1e-4 };

type FittedDetector = Extract<ScoreParameters, { kind: 'mlp-hidden-energy-ink/1' }>;

/**
 * A one-hidden-layer ReLU network on standardised features, trained with Adam on minibatches to separate
 * `positives` (digits) from `negatives`; both classes weigh the same whatever their counts. Seeded, so a
 * refit gives the same numbers. `features` are rows of FEATURE_COUNT.
 */
export function fitDetector(
  positives: readonly Float64Array[],
  negatives: readonly Float64Array[],
  seed = 1,
  shape = DETECTOR_SHAPE,
): FittedDetector {
  const rows = [...positives, ...negatives];
  const n = FEATURE_COUNT;
  const units = shape.hiddenUnits;
  const mean = new Float64Array(n);
  const scale = new Float64Array(n);
  for (const row of rows) for (let f = 0; f < n; f++) mean[f] = (mean[f] as number) + (row[f] as number);
  for (let f = 0; f < n; f++) mean[f] = (mean[f] as number) / rows.length;
  for (const row of rows)
    for (let f = 0; f < n; f++)
      scale[f] = (scale[f] as number) + ((row[f] as number) - (mean[f] as number)) ** 2;
  for (let f = 0; f < n; f++) scale[f] = Math.sqrt((scale[f] as number) / rows.length) || 1;
  const inputs = rows.map((row) =>
    Float64Array.from(row, (v, f) => (v - (mean[f] as number)) / (scale[f] as number)),
  );
  const targets = rows.map((_, i) => (i < positives.length ? 1 : 0));
  // Each class carries half the loss.
  const sampleWeight = rows.map(
    (_, i) => (i < positives.length ? 0.5 / positives.length : 0.5 / negatives.length) * rows.length,
  );

  const random = createRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  // Parameters in one array (hidden weights, hidden biases, output weights, output bias) for one Adam loop.
  const size = units * n + units + units + 1;
  const params = new Float64Array(size);
  const [hiddenBiasAt, outAt, biasAt] = [units * n, units * n + units, units * n + 2 * units];
  for (let i = 0; i < units * n; i++) params[i] = gaussian() * Math.sqrt(2 / n);
  for (let u = 0; u < units; u++) params[outAt + u] = gaussian() * Math.sqrt(1 / units);
  const gradient = new Float64Array(size);
  const m = new Float64Array(size);
  const v = new Float64Array(size);
  const hidden = new Float64Array(units);
  const order = Uint32Array.from(rows.keys());
  let step = 0;
  for (let epoch = 0; epoch < shape.epochs; epoch++) {
    shuffleInPlace(order, random);
    for (let from = 0; from < order.length; from += shape.batchSize) {
      const to = Math.min(order.length, from + shape.batchSize);
      gradient.fill(0);
      for (let b = from; b < to; b++) {
        const i = order[b] as number;
        const x = inputs[i] as Float64Array;
        let score = params[biasAt] as number;
        for (let u = 0; u < units; u++) {
          let sum = params[hiddenBiasAt + u] as number;
          const row = u * n;
          for (let f = 0; f < n; f++) sum += (params[row + f] as number) * (x[f] as number);
          hidden[u] = Math.max(0, sum);
          score += (params[outAt + u] as number) * (hidden[u] as number);
        }
        const error = (1 / (1 + Math.exp(-score)) - (targets[i] as number)) * (sampleWeight[i] as number);
        gradient[biasAt] = (gradient[biasAt] as number) + error;
        for (let u = 0; u < units; u++) {
          gradient[outAt + u] = (gradient[outAt + u] as number) + error * (hidden[u] as number);
          if ((hidden[u] as number) <= 0) continue;
          const back = error * (params[outAt + u] as number);
          gradient[hiddenBiasAt + u] = (gradient[hiddenBiasAt + u] as number) + back;
          const row = u * n;
          for (let f = 0; f < n; f++)
            gradient[row + f] = (gradient[row + f] as number) + back * (x[f] as number);
        }
      }
      step++;
      const count = to - from;
      for (let p = 0; p < size; p++) {
        const decay = p < hiddenBiasAt || (p >= outAt && p < biasAt) ? shape.l2 * (params[p] as number) : 0;
        const g = (gradient[p] as number) / count + decay;
        m[p] = 0.9 * (m[p] as number) + 0.1 * g;
        v[p] = 0.999 * (v[p] as number) + 0.001 * g * g;
        params[p] =
          (params[p] as number) -
          (shape.learningRate * ((m[p] as number) / (1 - 0.9 ** step))) /
            (Math.sqrt((v[p] as number) / (1 - 0.999 ** step)) + 1e-8);
      }
    }
  }
  const round = (values: ArrayLike<number>) => Array.from(values, (x) => Number(x.toPrecision(7)));
  return {
    kind: 'mlp-hidden-energy-ink/1',
    mean: round(mean),
    scale: round(scale),
    hiddenWeights: round(params.subarray(0, hiddenBiasAt)),
    hiddenBias: round(params.subarray(hiddenBiasAt, outAt)),
    weights: round(params.subarray(outAt, biasAt)),
    bias: Number((params[biasAt] as number).toPrecision(7)),
  };
}

export const scoresOf = (detector: ScoreParameters, rows: readonly Float64Array[]) =>
  Float64Array.from(rows, (row) => digitScore(detector, row));

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
