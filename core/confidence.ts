/**
 * Calibrated confidence and the two trust signals of a prediction, computed the same way by the trainer
 * (which fits their parameters) and the Worker (which serves them). Pure: no tensors, no I/O.
 *
 * - Temperature scaling: probabilities = softmax(logits / T), T fitted on the validation split.
 * - `uncertain`: the calibrated confidence is below a threshold chosen on the validation split.
 * - `isDigit`: a small score (one ReLU layer; older manifests: logistic) over the penultimate dense-128
 *   activations, the logits' energy and simple ink statistics, fitted on digits against generated non-digits.
 */
import { CLASS_COUNT, PIXEL_COUNT } from './model-spec.ts';

/** Width of the penultimate (dense 128, ReLU) layer whose activations feed the digit detector. */
export const HIDDEN_UNITS = 128;
/** Bins of the expected calibration error, as reported. */
export const ECE_BINS = 15;
/** Without a fitted threshold (older manifests), a prediction is uncertain when it is less likely than not. */
export const FALLBACK_UNCERTAIN_BELOW = 0.5;

/** What the manifest's `calibration` entry holds (all optional there: absent = temperature 1). */
export interface CalibrationParameters {
  readonly temperature: number;
  /** Calibrated confidence below which a prediction is flagged `uncertain`. */
  readonly uncertainBelow: number;
}

/**
 * A score over standardised features z = (feature − mean)/scale (higher = more digit-like):
 * - `logistic-hidden-energy-ink/1` (older manifests): bias + Σ weights·z;
 * - `mlp-hidden-energy-ink/1`: one ReLU layer first, bias + Σ weights·relu(hiddenBias + hiddenWeights·z),
 *   `hiddenWeights` row by row (one row of FEATURE_COUNT per hidden unit).
 * The `isDigit` detector is one (isDigit = score ≥ threshold); the number reader's segment score, over the
 * same features of a candidate digit, is another (core/segment-number.ts).
 */
export type ScoreParameters =
  | (ScoreCommon & { readonly kind: 'logistic-hidden-energy-ink/1' })
  | (ScoreCommon & {
      readonly kind: 'mlp-hidden-energy-ink/1';
      readonly hiddenWeights: readonly number[];
      readonly hiddenBias: readonly number[];
    });
interface ScoreCommon {
  readonly mean: readonly number[];
  readonly scale: readonly number[];
  /** Output weights: FEATURE_COUNT of them (logistic) or one per hidden unit (mlp). */
  readonly weights: readonly number[];
  readonly bias: number;
}
export type DigitDetectorParameters = ScoreParameters & { readonly threshold: number };

/** Names of the detector's features after the 128 hidden activations (for the manifest's readers). */
const EXTRA_FEATURES = ['maxLogit', 'logSumExp', 'inkMean', 'inkSolidShare', 'inkMidtoneShare'] as const;
export const FEATURE_COUNT = HIDDEN_UNITS + EXTRA_FEATURES.length;

/** softmax(logits / temperature) of one row, in float64 for stability. */
export function softmaxWithTemperature(logits: ArrayLike<number>, temperature = 1): number[] {
  // Plain loops: this runs once per answered digit.
  const probabilities = new Array<number>(logits.length);
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < logits.length; c++) {
    probabilities[c] = (logits[c] as number) / temperature;
    max = Math.max(max, probabilities[c] as number);
  }
  let sum = 0;
  for (let c = 0; c < logits.length; c++) {
    probabilities[c] = Math.exp((probabilities[c] as number) - max);
    sum += probabilities[c] as number;
  }
  for (let c = 0; c < logits.length; c++) probabilities[c] = (probabilities[c] as number) / sum;
  return probabilities;
}

/** The plain softmax of every row of `count` × 10 logits, back to back. */
export function softmaxRows(logits: Float32Array, count: number): Float32Array {
  const probabilities = new Float32Array(count * CLASS_COUNT);
  for (let i = 0; i < count; i++) {
    probabilities.set(
      softmaxWithTemperature(logits.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT)),
      i * CLASS_COUNT,
    );
  }
  return probabilities;
}

/** The detector's input for one image: hidden activations, logit energy and ink statistics. */
function detectorFeatures(
  hidden: ArrayLike<number>,
  logits: ArrayLike<number>,
  pixels: ArrayLike<number>,
): Float64Array {
  const features = new Float64Array(FEATURE_COUNT);
  for (let i = 0; i < HIDDEN_UNITS; i++) features[i] = hidden[i] as number;
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < CLASS_COUNT; c++) max = Math.max(max, logits[c] as number);
  let sum = 0;
  for (let c = 0; c < CLASS_COUNT; c++) sum += Math.exp((logits[c] as number) - max);
  let ink = 0;
  let solid = 0;
  let midtone = 0;
  for (let i = 0; i < PIXEL_COUNT; i++) {
    const value = pixels[i] as number;
    ink += value;
    if (value > 0.5) solid++;
    if (value > 0.1 && value < 0.9) midtone++;
  }
  features[HIDDEN_UNITS] = max;
  features[HIDDEN_UNITS + 1] = max + Math.log(sum);
  features[HIDDEN_UNITS + 2] = ink / PIXEL_COUNT;
  features[HIDDEN_UNITS + 3] = solid / PIXEL_COUNT;
  features[HIDDEN_UNITS + 4] = midtone / PIXEL_COUNT;
  return features;
}

/** A batch's model outputs with the model inputs they came from, as the detector and segment score read them. */
export interface BatchOutputs {
  readonly logits: Float32Array;
  readonly hidden: Float32Array;
  readonly pixels: Float32Array;
}

/** `detectorFeatures` of image `index` of a batch. */
export function detectorFeaturesAt(outputs: BatchOutputs, index: number): Float64Array {
  return detectorFeatures(
    outputs.hidden.subarray(index * HIDDEN_UNITS, (index + 1) * HIDDEN_UNITS),
    outputs.logits.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT),
    outputs.pixels.subarray(index * PIXEL_COUNT, (index + 1) * PIXEL_COUNT),
  );
}

/**
 * The hidden layer's weights as a Float64Array, made once per array (a manifest's JSON gives plain arrays,
 * which the hot loop reads more slowly); keyed on the array itself, which copies of a detector share.
 */
const float64Copies = new WeakMap<readonly number[], Float64Array>();
function asFloat64(values: readonly number[]): Float64Array {
  let copy = float64Copies.get(values);
  if (copy === undefined) {
    copy = Float64Array.from(values);
    float64Copies.set(values, copy);
  }
  return copy;
}

/** digitScore's standardised features, reused (it is synchronous): one answer allocates nothing for it. */
const standardised = new Float64Array(FEATURE_COUNT);

/** A score of one image's features (higher = more digit-like); the detector compares it with `threshold`. */
export function digitScore(detector: ScoreParameters, features: ArrayLike<number>): number {
  const { mean, scale } = detector;
  for (let i = 0; i < FEATURE_COUNT; i++)
    standardised[i] = ((features[i] as number) - (mean[i] as number)) / (scale[i] as number);
  let score = detector.bias;
  if (detector.kind === 'mlp-hidden-energy-ink/1') {
    const { hiddenBias, weights } = detector;
    const hiddenWeights = asFloat64(detector.hiddenWeights);
    for (let u = 0; u < hiddenBias.length; u++) {
      let sum = hiddenBias[u] as number;
      const row = u * FEATURE_COUNT;
      for (let i = 0; i < FEATURE_COUNT; i++)
        sum += (hiddenWeights[row + i] as number) * (standardised[i] as number);
      score += (weights[u] as number) * Math.max(0, sum);
    }
    return score;
  }
  for (let i = 0; i < FEATURE_COUNT; i++)
    score += (detector.weights[i] as number) * (standardised[i] as number);
  return score;
}

export interface InterpretedPrediction {
  readonly digit: number;
  /** Calibrated probability of `digit`. */
  readonly confidence: number;
  /** Calibrated probabilities (softmax of logits / temperature); same order and argmax as uncalibrated. */
  readonly probabilities: number[];
  readonly uncertain: boolean;
  /** null when the served model has no digit detector (older manifests). */
  readonly isDigit: boolean | null;
}

/** Everything an answer reports about image `index` of a batch, from the model's raw outputs. */
export function interpretPrediction(
  outputs: BatchOutputs,
  index: number,
  calibration: Partial<CalibrationParameters> | undefined,
  detector: DigitDetectorParameters | undefined,
): InterpretedPrediction {
  const logits = outputs.logits.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT);
  const probabilities = softmaxWithTemperature(logits, calibration?.temperature ?? 1);
  let digit = 0;
  for (let c = 1; c < CLASS_COUNT; c++)
    if ((probabilities[c] as number) > (probabilities[digit] as number)) digit = c;
  const confidence = probabilities[digit] as number;
  let isDigit: boolean | null = null;
  if (detector) {
    isDigit = digitScore(detector, detectorFeaturesAt(outputs, index)) >= detector.threshold;
  }
  return {
    digit,
    confidence,
    probabilities,
    uncertain: confidence < (calibration?.uncertainBelow ?? FALLBACK_UNCERTAIN_BELOW),
    isDigit,
  };
}

/**
 * Expected calibration error: the confidence range split into `bins` equal bins, the mean
 * |accuracy − confidence| per bin weighted by its share of the predictions.
 */
export function expectedCalibrationError(
  confidences: ArrayLike<number>,
  correct: ArrayLike<boolean>,
  bins = ECE_BINS,
): number {
  const count = new Float64Array(bins);
  const confidenceSum = new Float64Array(bins);
  const correctSum = new Float64Array(bins);
  for (let i = 0; i < confidences.length; i++) {
    const confidence = confidences[i] as number;
    const bin = Math.min(bins - 1, Math.max(0, Math.ceil(confidence * bins) - 1));
    count[bin] = (count[bin] as number) + 1;
    confidenceSum[bin] = (confidenceSum[bin] as number) + confidence;
    if (correct[i]) correctSum[bin] = (correctSum[bin] as number) + 1;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    if (count[b] === 0) continue;
    ece += Math.abs((correctSum[b] as number) - (confidenceSum[b] as number));
  }
  return confidences.length === 0 ? 0 : ece / confidences.length;
}

/** Why a manifest's calibration or detector entry cannot be served, or undefined when it can (or is absent). */
export function signalParametersProblem(
  calibration: Partial<CalibrationParameters> | undefined,
  detector: Partial<DigitDetectorParameters> | undefined,
): string | undefined {
  const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
  if (calibration !== undefined) {
    const { temperature, uncertainBelow } = calibration;
    if (!finite(temperature) || (temperature as number) <= 0)
      return 'calibration.temperature must be a positive number';
    if (!finite(uncertainBelow) || (uncertainBelow as number) < 0 || (uncertainBelow as number) > 1)
      return 'calibration.uncertainBelow must be a number from 0 to 1';
  }
  if (detector !== undefined) {
    const problem = scoreParametersProblem('digitDetector', detector);
    if (problem !== undefined) return problem;
    if (!finite(detector.threshold)) return 'digitDetector.threshold must be a finite number';
  }
  return undefined;
}

/** Why score parameters (a manifest's entry `name`) cannot be served, or undefined when they can. */
export function scoreParametersProblem(name: string, score: Partial<ScoreParameters>): string | undefined {
  const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
  const numbers = (values: unknown, count: number) =>
    Array.isArray(values) && values.length === count && values.every(finite);
  if (score.kind !== 'logistic-hidden-energy-ink/1' && score.kind !== 'mlp-hidden-energy-ink/1')
    return `${name}.kind is unknown`;
  for (const field of ['mean', 'scale'] as const) {
    if (!numbers(score[field], FEATURE_COUNT))
      return `${name}.${field} must be ${FEATURE_COUNT} finite numbers`;
  }
  if (score.scale?.some((value) => value === 0)) return `${name}.scale must not hold 0`;
  let inputs = FEATURE_COUNT;
  if (score.kind === 'mlp-hidden-energy-ink/1') {
    const units = Array.isArray(score.hiddenBias) ? score.hiddenBias.length : 0;
    if (units === 0 || !numbers(score.hiddenBias, units))
      return `${name}.hiddenBias must be finite numbers, one per hidden unit`;
    if (!numbers(score.hiddenWeights, units * FEATURE_COUNT))
      return `${name}.hiddenWeights must be ${FEATURE_COUNT} finite numbers per hidden unit`;
    inputs = units;
  }
  if (!numbers(score.weights, inputs)) return `${name}.weights must be ${inputs} finite numbers`;
  if (!finite(score.bias)) return `${name}.bias must be a finite number`;
  return undefined;
}
