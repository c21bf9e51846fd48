import type { CalibrationParameters, DigitDetectorParameters } from './confidence.ts';

/**
 * The metrics/manifest file (`manifest.json`) written beside every model export, and the R2 layout the
 * publisher writes and the Worker reads. Shared by training, publishing, the Worker and the site.
 */

export type Precision = 'float32' | 'float16' | 'uint8';

export interface FileEntry {
  /** Relative to the export folder, e.g. `model.json`, `group1-shard1of1.bin`, `curves.svg`. */
  readonly path: string;
  readonly bytes: number;
  /** Lower-case hex. */
  readonly sha256: string;
}

export interface EvaluationMetrics {
  /** Fraction correct on the 10,000 MNIST test digits, 0..1. */
  readonly accuracy: number;
  /** Per true class, 0..1. */
  readonly perClassAccuracy: readonly number[];
  /** confusion[trueDigit][predictedDigit] = count. */
  readonly confusion: readonly (readonly number[])[];
  /** Bytes of the weight data at this precision. */
  readonly weightBytes: number;
}

export interface EpochRecord {
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss: number;
  readonly valAccuracy: number;
  /** The same for the moving average of the weights, when the run keeps one. */
  readonly emaValLoss?: number;
  readonly emaValAccuracy?: number;
  /** At the end of the epoch (the schedule changes it every step). */
  readonly learningRate: number;
  readonly seconds: number;
}

export interface TrainingSettings {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly augment: boolean;
  /** The rest of the recipe (absent in older manifests): schedule, regularisation, augmentation. */
  readonly recipe?: Readonly<Record<string, unknown>>;
  readonly trainExamples: number;
  readonly validationExamples: number;
  readonly bestEpoch: number;
  readonly seconds: number;
  readonly backend: string;
}

export interface ModelManifest {
  readonly format: 'digit-edge-model/1';
  /** Content-derived: the first 16 hex digits of sha256 over the model files' hashes. */
  readonly version: string;
  readonly createdAt: string;
  /** Precision of the exported weights (kernels; biases stay float32). */
  readonly precision: Precision;
  readonly parameters: number;
  /** Model files the Worker must verify (model.json and its weight shards), plus pictures. */
  readonly files: readonly FileEntry[];
  readonly training: TrainingSettings;
  readonly history: readonly EpochRecord[];
  readonly test: Readonly<Record<Precision, EvaluationMetrics>>;
  /** Temperature and `uncertain` threshold (absent in older manifests: temperature 1). */
  readonly calibration?: CalibrationReport;
  /** Parameters of the `isDigit` score (absent: the model cannot tell, `isDigit` is null). */
  readonly digitDetector?: DigitDetectorReport;
}

export interface CalibrationReport extends CalibrationParameters {
  /** Share of the validation digits flagged `uncertain` (≤ 1% by construction). */
  readonly validationUncertainShare: number;
  /** On the test digits, served weights: ECE (15 bins) before/after temperature, flagged share and the */
  /** accuracy of the rest. */
  readonly test: {
    readonly eceBefore: number;
    readonly eceAfter: number;
    readonly bins: number;
    readonly uncertainShare: number;
    readonly accuracyWhenSure: number;
  };
}

export interface DigitDetectorReport extends DigitDetectorParameters {
  readonly metrics: {
    /** Shares flagged `isDigit: false`: validation digits (≤ 1% by construction), test digits, non-digits. */
    readonly validationDigitsFlagged: number;
    readonly testDigitsFlagged: number;
    readonly nonDigitsFlagged: number;
    readonly nonDigitCount: number;
    /** Share of the generated evaluation non-digits flagged, per kind. */
    readonly nonDigitsFlaggedByKind: Readonly<Record<string, number>>;
  };
}

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.json';

/** R2 keys. Versions are immutable; only the pointer object changes. */
export const R2_PREFIX = 'models/';
export const CURRENT_POINTER_KEY = 'models/current.json';
export const versionKey = (version: string, file: string): string => `${R2_PREFIX}${version}/${file}`;

export interface CurrentPointer {
  readonly version: string;
  readonly publishedAt: string;
}

/** Where the committed default model lives in the repository. */
export const DEFAULT_MODEL_DIR = 'models/default';
