/**
 * The served model's trust signals, measured through the Worker's own fused model on the served
 * (quantised) weights: temperature + `uncertain` threshold + `isDigit` detector, their test figures and the
 * reliability diagram; and the number reader's segment score, which reads the same features. `npm run train`
 * runs it at export; `npm run calibrate -- --dir DIR` adds it to an existing export (which gets a new version
 * when it gains a picture or a segment score).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type BatchOutputs, detectorFeaturesAt, ECE_BINS, HIDDEN_UNITS } from '../core/confidence.ts';
import {
  type CalibrationReport,
  type DigitDetectorReport,
  MODEL_FILE,
  type ModelManifest,
  type SegmentScorerReport,
} from '../core/manifest.ts';
import { CLASS_COUNT, PIXEL_COUNT } from '../core/model-spec.ts';
import { decodeWeights, type WeightEntry } from '../core/weights.ts';
import { createFusedModel, type FusedModel } from '../worker/model/fused-model.ts';
import { DEFAULT_AUGMENT } from './augment.ts';
import { useWasmForTraining } from './backend.ts';
import { makeBatch } from './batches.ts';
import { reliabilityDiagramSvg } from './charts.ts';
import { rewriteExport } from './export.ts';
import { allOf, loadMnistTest, loadMnistTrain, type Subset, splitTrainValidation } from './mnist.ts';
import { EVALUATION_SEED, FIT_SEED, generateNonDigits, NON_DIGIT_KINDS } from './non-digits.ts';
import { createRandom } from './random.ts';
import {
  FULL_SEGMENT_SIZES,
  fitSegmentScorer,
  QUICK_SEGMENT_SIZES,
  type SegmentSizes,
} from './segment-scorer.ts';
import {
  confidences,
  fitDetector,
  fitTemperature,
  reliabilityBins,
  scoresOf,
  shareBelow,
  shareWithMargin,
  thresholdFlagging,
} from './signals.ts';

export const RELIABILITY_FILE = 'reliability.svg';
/**
 * How many training digits (half of them augmented) and generated non-digits fit and test the detector, and
 * how many written numbers fit and measure the number reader's segment score.
 */
export interface DetectorSizes {
  readonly digits: number;
  readonly fitNonDigits: number;
  readonly evaluationNonDigits: number;
  readonly segments: SegmentSizes;
}
export const FULL_DETECTOR_SIZES: DetectorSizes = {
  digits: 8000,
  fitNonDigits: 6000,
  evaluationNonDigits: 3000,
  segments: FULL_SEGMENT_SIZES,
};
/** For quick runs (`--limit`): enough to exercise every step, not to report figures. */
export const QUICK_DETECTOR_SIZES: DetectorSizes = {
  digits: 1200,
  fitNonDigits: 1200,
  evaluationNonDigits: 600,
  segments: QUICK_SEGMENT_SIZES,
};

/** The served model code's logits and hidden activations for many digits, 500 at a time. */
export function runModel(model: FusedModel, pixels: Float32Array): BatchOutputs {
  const count = pixels.length / PIXEL_COUNT;
  const logits = new Float32Array(count * CLASS_COUNT);
  const hidden = new Float32Array(count * HIDDEN_UNITS);
  for (let from = 0; from < count; from += 500) {
    const size = Math.min(500, count - from);
    const out = model.outputs(pixels.subarray(from * PIXEL_COUNT, (from + size) * PIXEL_COUNT), size);
    logits.set(out.logits, from * CLASS_COUNT);
    hidden.set(out.hidden, from * HIDDEN_UNITS);
  }
  return { logits, hidden, pixels };
}

/** Every digit of a subset in order, as the model reads it (augmented with DEFAULT_AUGMENT when seeded). */
export function pixelsOf(subset: Subset, augmentSeed?: number) {
  const order = Uint32Array.from({ length: subset.indices.length }, (_, i) => i);
  const batch = makeBatch(
    subset,
    order,
    0,
    order.length,
    augmentSeed === undefined ? undefined : { random: createRandom(augmentSeed), options: DEFAULT_AUGMENT },
  );
  return { pixels: batch.pixels, labels: batch.labels };
}

const featureRows = (outputs: BatchOutputs) =>
  Array.from({ length: outputs.pixels.length / PIXEL_COUNT }, (_, i) => detectorFeaturesAt(outputs, i));

const round = (value: number, digits = 6) => Number(value.toFixed(digits));
/** Thresholds are rounded down, so rounding never flags more than the chosen share. */
const roundDown = (value: number) => Math.floor(value * 1e6) / 1e6;

export interface ServedSignals {
  readonly calibration: CalibrationReport;
  readonly digitDetector: DigitDetectorReport;
  /** Absent when the model reads too few numbers right to fit one on. */
  readonly segmentScorer: SegmentScorerReport | undefined;
  readonly reliabilitySvg: string;
}

/** Fits and measures everything on `model` (the served weights). */
export function fitServedSignals(
  model: FusedModel,
  data: { train: Subset; validation: Subset; test: Subset },
  sizes: DetectorSizes = FULL_DETECTOR_SIZES,
): ServedSignals {
  const validation = pixelsOf(data.validation);
  const test = pixelsOf(data.test);
  const validationOut = runModel(model, validation.pixels);
  const testOut = runModel(model, test.pixels);

  const temperature = fitTemperature(validationOut.logits, validation.labels);
  const validationConfidence = confidences(validationOut.logits, validation.labels, temperature);
  const uncertainBelow = roundDown(thresholdFlagging(validationConfidence.confidence));
  const before = confidences(testOut.logits, test.labels, 1);
  const after = confidences(testOut.logits, test.labels, temperature);
  const beforeBins = reliabilityBins(before.confidence, before.correct, ECE_BINS);
  const afterBins = reliabilityBins(after.confidence, after.correct, ECE_BINS);
  const eceOf = (bins: typeof beforeBins, n: number) =>
    bins.reduce((sum, b) => sum + b.count * Math.abs(b.accuracy - b.meanConfidence), 0) / n;
  const eceBefore = eceOf(beforeBins, test.labels.length);
  const eceAfter = eceOf(afterBins, test.labels.length);
  let sure = 0;
  let sureCorrect = 0;
  after.confidence.forEach((confidence, i) => {
    if (confidence >= uncertainBelow) {
      sure++;
      if (after.correct[i]) sureCorrect++;
    }
  });
  const calibration: CalibrationReport = {
    temperature: round(temperature),
    uncertainBelow,
    validationUncertainShare: round(shareBelow(validationConfidence.confidence, uncertainBelow)),
    test: {
      eceBefore: round(eceBefore),
      eceAfter: round(eceAfter),
      bins: ECE_BINS,
      uncertainShare: round(1 - sure / test.labels.length),
      accuracyWhenSure: round(sure ? sureCorrect / sure : 0),
    },
  };

  // The detector: training digits (half as drawn, half augmented: people's digits vary more) vs non-digits.
  const digitSubset = { ...data.train, indices: data.train.indices.subarray(0, sizes.digits) };
  const half = Math.floor(digitSubset.indices.length / 2);
  const clean = pixelsOf({ ...digitSubset, indices: digitSubset.indices.subarray(0, half) });
  const augmented = pixelsOf({ ...digitSubset, indices: digitSubset.indices.subarray(half) }, 7);
  const positives = [
    ...featureRows(runModel(model, clean.pixels)),
    ...featureRows(runModel(model, augmented.pixels)),
  ];
  const negatives = featureRows(runModel(model, generateNonDigits(FIT_SEED, sizes.fitNonDigits).pixels));
  const fitted = fitDetector(positives, negatives);
  const detector = {
    ...fitted,
    threshold: roundDown(
      thresholdFlagging(
        scoresOf(fitted, featureRows(validationOut)),
        shareWithMargin(validation.labels.length),
      ),
    ),
  };
  const evaluation = generateNonDigits(EVALUATION_SEED, sizes.evaluationNonDigits);
  const nonDigitScores = scoresOf(detector, featureRows(runModel(model, evaluation.pixels)));
  const byKind = Object.fromEntries(
    NON_DIGIT_KINDS.map((kind) => {
      const scores = nonDigitScores.filter((_, i) => evaluation.kinds[i] === kind);
      return [kind, round(shareBelow(scores, detector.threshold), 4)];
    }),
  );
  const digitDetector: DigitDetectorReport = {
    ...detector,
    metrics: {
      validationDigitsFlagged: round(
        shareBelow(scoresOf(detector, featureRows(validationOut)), detector.threshold),
      ),
      testDigitsFlagged: round(shareBelow(scoresOf(detector, featureRows(testOut)), detector.threshold)),
      nonDigitsFlagged: round(shareBelow(nonDigitScores, detector.threshold)),
      nonDigitCount: sizes.evaluationNonDigits,
      nonDigitsFlaggedByKind: byKind,
    },
  };
  const reliabilitySvg = reliabilityDiagramSvg([
    { label: 'raw softmax', colour: '#ea580c', ece: eceBefore, bins: beforeBins },
    { label: `temperature ${temperature.toFixed(2)}`, colour: '#2563eb', ece: eceAfter, bins: afterBins },
  ]);
  const segmentScorer = fitSegmentScorer(model, data, sizes.segments);
  return { calibration, digitDetector, segmentScorer, reliabilitySvg };
}

export function describeSignals({ calibration, digitDetector, segmentScorer }: ServedSignals): string {
  const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
  return [
    `temperature ${calibration.temperature.toFixed(3)}: test ECE (${calibration.test.bins} bins) ${pct(calibration.test.eceBefore)} → ${pct(calibration.test.eceAfter)}`,
    `uncertain below ${calibration.uncertainBelow.toFixed(4)}: flags ${pct(calibration.validationUncertainShare)} of validation and ${pct(calibration.test.uncertainShare)} of test digits; accuracy on the rest ${pct(calibration.test.accuracyWhenSure)}`,
    `isDigit: flags ${pct(digitDetector.metrics.nonDigitsFlagged)} of ${digitDetector.metrics.nonDigitCount} evaluation non-digits ` +
      `(${Object.entries(digitDetector.metrics.nonDigitsFlaggedByKind)
        .map(([k, v]) => `${k} ${pct(v)}`)
        .join(
          ', ',
        )}), ${pct(digitDetector.metrics.validationDigitsFlagged)} of validation and ${pct(digitDetector.metrics.testDigitsFlagged)} of test digits`,
    segmentScorer
      ? `segment score: fitted on ${segmentScorer.metrics.fitNumbers} numbers of training digits (${segmentScorer.metrics.wholeCandidates} whole digits, ${segmentScorer.metrics.otherCandidates} other candidates); ` +
        `numbers of validation digits read whole ${pct(segmentScorer.metrics.validationWholeBefore)} → ${pct(segmentScorer.metrics.validationWholeAfter)} of ${segmentScorer.metrics.validationNumbers}`
      : 'segment score: none (the model read too few of the numbers of training digits right to fit one)',
  ].join('\n');
}

/**
 * An export's weights by name, decoded to float32 whatever their stored precision. `read` gives a file of
 * the export by its path (by default from `directory`; a caller that has the files already passes them).
 */
export async function readExportWeights(
  directory: string,
  read: (path: string) => Promise<Uint8Array> = (path) => readFile(join(directory, path)),
): Promise<Map<string, { values: Float32Array; shape: readonly number[] }>> {
  const modelJson = JSON.parse(new TextDecoder().decode(await read(MODEL_FILE))) as {
    weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
  };
  const groups = modelJson.weightsManifest;
  const shards = await Promise.all(groups.flatMap((g) => g.paths).map(read));
  const data = new Uint8Array(Buffer.concat(shards));
  const decoded = decodeWeights(groups, data);
  const shapes = new Map(groups.flatMap((g) => g.weights).map((w) => [w.name, w.shape]));
  return new Map([...decoded].map(([name, values]) => [name, { values, shape: shapes.get(name) ?? [] }]));
}

/** The served weights of an export folder as the Worker decodes them. */
export async function fusedModelOfExport(directory: string): Promise<FusedModel> {
  return createFusedModel(await readExportWeights(directory));
}

async function main(args: string[]) {
  const { values } = parseArgs({
    args,
    options: { dir: { type: 'string' }, validation: { type: 'string' } },
  });
  const directory = values.dir ?? 'artifacts/model';
  await useWasmForTraining();
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as ModelManifest;
  const [trainSet, testSet] = await Promise.all([loadMnistTrain(), loadMnistTest()]);
  const { train, validation } = splitTrainValidation(trainSet, manifest.training.validationExamples);
  const model = await fusedModelOfExport(directory);
  const signals = fitServedSignals(model, { train, validation, test: allOf(testSet) });
  console.log(describeSignals(signals));
  const updated = await rewriteExport(
    directory,
    { [RELIABILITY_FILE]: signals.reliabilitySvg },
    {
      calibration: signals.calibration,
      digitDetector: signals.digitDetector,
      ...(signals.segmentScorer ? { segmentScorer: signals.segmentScorer } : {}),
    },
  );
  console.log(`rewrote ${directory}: version ${manifest.version} → ${updated.version}`);
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  await main(process.argv.slice(2));
}
