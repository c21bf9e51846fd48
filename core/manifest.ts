/**
 * The metrics/manifest file (`manifest.json`) written beside every model export, and the R2 layout the
 * publisher writes and the Worker reads, as zod schemas with their inferred types. Shared by training,
 * publishing, the Worker, the site and the tests.
 */

import { z } from 'zod';

export const MANIFEST_FILE = 'manifest.json';
export const MODEL_FILE = 'model.json';
/** The one weight shard that `npm run train` writes (the Worker reads it alongside the manifest). */
export const SHARD_FILE = 'group1-shard1of1.bin';

/**
 * Version names become R2 key segments and URL query values: plain names, never paths. The one pattern
 * for the Worker (pointer, `?version=`), the publisher and rollback.
 */
const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const isVersionName = (value: string): boolean => VERSION_PATTERN.test(value);
export const VersionNameSchema = z
  .string()
  .regex(VERSION_PATTERN, 'expected a version name: a letter or digit, then up to 63 of [A-Za-z0-9._-]');

const FILE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export const PrecisionSchema = z.enum(['float32', 'float16', 'uint8']);
export type Precision = z.infer<typeof PrecisionSchema>;

const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

export const FileEntrySchema = z.object({
  /** Relative to the export folder, e.g. `model.json`, `group1-shard1of1.bin`, `curves.svg`. */
  path: z.string().regex(FILE_NAME_PATTERN, 'expected a plain file name'),
  bytes: z.int().nonnegative(),
  sha256: Sha256Schema,
});
export type FileEntry = z.infer<typeof FileEntrySchema>;

export const EvaluationMetricsSchema = z.object({
  /** Fraction correct on the 10,000 MNIST test digits, 0..1. */
  accuracy: z.number(),
  /** Per true class, 0..1. */
  perClassAccuracy: z.array(z.number()),
  /** confusion[trueDigit][predictedDigit] = count. */
  confusion: z.array(z.array(z.number())),
  /** Bytes of the weight data at this precision. */
  weightBytes: z.number(),
});
export type EvaluationMetrics = z.infer<typeof EvaluationMetricsSchema>;

const EpochRecordSchema = z.object({
  epoch: z.number(),
  loss: z.number(),
  accuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
  /** The same for the moving average of the weights, when the run keeps one. */
  emaValLoss: z.number().optional(),
  emaValAccuracy: z.number().optional(),
  /** At the end of the epoch (the schedule changes it every step). */
  learningRate: z.number(),
  seconds: z.number(),
});
export type EpochRecord = z.infer<typeof EpochRecordSchema>;

const TrainingSettingsSchema = z.object({
  epochs: z.number(),
  batchSize: z.number(),
  learningRate: z.number(),
  seed: z.number(),
  augment: z.boolean(),
  /** The rest of the recipe (absent in older manifests): schedule, regularisation, augmentation. */
  recipe: z.record(z.string(), z.unknown()).optional(),
  trainExamples: z.number(),
  validationExamples: z.number(),
  bestEpoch: z.number(),
  seconds: z.number(),
  backend: z.string(),
});

/** The export a fine-tune (`npm run train -- --init`, `--tail`) started from: how it was trained, and its curves. */
const FineTuneOfSchema = z.object({
  version: VersionNameSchema,
  training: TrainingSettingsSchema,
  history: z.array(EpochRecordSchema),
});

/** Temperature and `uncertain` threshold, with what they measured (core/confidence.ts applies them). */
const CalibrationReportSchema = z.object({
  temperature: z.number().positive(),
  /** Calibrated confidence below which a prediction is flagged `uncertain`. */
  uncertainBelow: z.number().min(0).max(1),
  /** Share of the validation digits flagged `uncertain` (≤ 1% by construction). */
  validationUncertainShare: z.number(),
  /** On the test digits, served weights: ECE (15 bins) before/after, flagged share, accuracy of the rest. */
  test: z.object({
    eceBefore: z.number(),
    eceAfter: z.number(),
    bins: z.int(),
    uncertainShare: z.number(),
    accuracyWhenSure: z.number(),
  }),
});
export type CalibrationReport = z.infer<typeof CalibrationReportSchema>;

/**
 * A fitted score's parameters: thousands of numbers, checked in one loop. `z.array(z.number())` checks each
 * element through zod's own machinery, which without `new Function` (as in a Worker) made the manifest check
 * the costliest step of a cold start.
 */
const ParametersSchema = z.custom<readonly number[]>(
  (value) => Array.isArray(value) && value.every(Number.isFinite),
  'expected an array of finite numbers',
);

const DetectorMetricsSchema = z.object({
  /** Shares flagged `isDigit: false`: validation digits (≤ 1% by construction), test digits, non-digits. */
  validationDigitsFlagged: z.number(),
  testDigitsFlagged: z.number(),
  nonDigitsFlagged: z.number(),
  nonDigitCount: z.number(),
  /** Share of the generated evaluation non-digits flagged, per kind. */
  nonDigitsFlaggedByKind: z.record(z.string(), z.number()),
});
const DetectorCommonSchema = {
  mean: ParametersSchema,
  scale: ParametersSchema,
  weights: ParametersSchema,
  bias: z.number(),
  threshold: z.number(),
  metrics: DetectorMetricsSchema,
};
/**
 * The `isDigit` score over hidden activations and ink features (core/confidence.ts computes it), and what
 * it measured. Older manifests hold the logistic kind.
 */
const DigitDetectorReportSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('logistic-hidden-energy-ink/1'), ...DetectorCommonSchema }),
  z.object({
    kind: z.literal('mlp-hidden-energy-ink/1'),
    hiddenWeights: ParametersSchema,
    hiddenBias: ParametersSchema,
    ...DetectorCommonSchema,
  }),
]);
export type DigitDetectorReport = z.infer<typeof DigitDetectorReportSchema>;

/**
 * The number reader's segment score (core/segment-number.ts): a one-ReLU-layer score over a candidate's
 * model features (the digit detector's), fitted on numbers written from MNIST training digits, and what it
 * measured on numbers written from the validation digits. Every field but `metrics` is served, and counts in
 * the version (training/export.ts), in this order.
 */
const SegmentScorerReportSchema = z.object({
  kind: z.literal('mlp-hidden-energy-ink/1'),
  mean: ParametersSchema,
  scale: ParametersSchema,
  hiddenWeights: ParametersSchema,
  hiddenBias: ParametersSchema,
  weights: ParametersSchema,
  bias: z.number(),
  metrics: z.object({
    /** Numbers of training digits it was fitted on, and their candidates (whole digits, others). */
    fitNumbers: z.int(),
    wholeCandidates: z.int(),
    otherCandidates: z.int(),
    /** Numbers written from validation digits, and the share read whole without and with the score. */
    validationNumbers: z.int(),
    validationWholeBefore: z.number(),
    validationWholeAfter: z.number(),
  }),
});
export type SegmentScorerReport = z.infer<typeof SegmentScorerReportSchema>;
/** The segment score's served fields, in schema order. */
export const SEGMENT_SCORE_KEYS = Object.keys(SegmentScorerReportSchema.shape).filter(
  (key) => key !== 'metrics',
);

/**
 * `manifest.json`. Unknown keys are accepted and dropped (zod's default), so a Worker or publisher reads
 * manifests written by newer trainers; new fields are added here as `.optional()` so older manifests
 * stay valid. The publisher uploads the file's own bytes, never a re-serialised parse.
 */
export const ModelManifestSchema = z.object({
  format: z.literal('digit-edge-model/1'),
  /** Content-derived: the first 16 hex digits of sha256 over the model files' hashes and the segment score. */
  version: VersionNameSchema,
  createdAt: z.string(),
  /** Precision of the exported weights (kernels; biases stay float32). */
  precision: PrecisionSchema,
  parameters: z.int(),
  /** Model files the Worker must verify (model.json and its weight shards), plus pictures. */
  files: z
    .array(FileEntrySchema)
    .min(1)
    .refine((files) => new Set(files.map((file) => file.path)).size === files.length, 'lists a file twice')
    .refine((files) => files.some((file) => file.path === MODEL_FILE), 'does not list model.json'),
  training: TrainingSettingsSchema,
  /** This run's epochs (a fine-tune's own; the run before it is in `fineTuneOf`). */
  history: z.array(EpochRecordSchema),
  /** Absent: trained from fresh weights. */
  fineTuneOf: FineTuneOfSchema.optional(),
  test: z.record(PrecisionSchema, EvaluationMetricsSchema),
  /** Absent in older manifests: temperature 1, nothing flagged `uncertain`. */
  calibration: CalibrationReportSchema.optional(),
  /** Absent: the model cannot tell, `isDigit` is null. */
  digitDetector: DigitDetectorReportSchema.optional(),
  /** Absent: numbers are read without it (core/segment-number.ts's priors alone). */
  segmentScorer: SegmentScorerReportSchema.optional(),
});
export type ModelManifest = z.infer<typeof ModelManifestSchema>;

/** Every epoch the weights went through: the run a fine-tune started from, then the fine-tune's own. */
export const fullHistory = (manifest: Pick<ModelManifest, 'history' | 'fineTuneOf'>): EpochRecord[] => [
  ...(manifest.fineTuneOf?.history ?? []),
  ...manifest.history,
];

/** The files the Worker loads (model.json and its weight shards), in the manifest's order; not the pictures. */
export const modelFiles = (manifest: Pick<ModelManifest, 'files'>): FileEntry[] =>
  manifest.files.filter((file) => file.path === MODEL_FILE || file.path.endsWith('.bin'));

/** What "model size" means everywhere (`/api/model`, `/model`): model.json and its weight shards. */
export const modelSizeBytes = (manifest: Pick<ModelManifest, 'files'>): number =>
  modelFiles(manifest).reduce((total, file) => total + file.bytes, 0);

/** `models/current.json`: the one object that moves when a version is published or rolled back. */
export const CurrentPointerSchema = z.object({
  version: VersionNameSchema,
  publishedAt: z.string(),
  /**
   * sha256 of the version's manifest.json. The current bundle (core/model-bundle.ts) is used only when its
   * manifest has this hash; pointers written before the bundle existed lack it, and the Worker then reads
   * the version's own files.
   */
  manifestSha256: Sha256Schema.optional(),
});
export type CurrentPointer = z.infer<typeof CurrentPointerSchema>;

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problem: string };

/**
 * Parses JSON text against one of the schemas above; `problem` says what is wrong in one line (each side
 * wraps it in its own error type).
 */
export function parseJsonAs<T>(schema: z.ZodType<T>, text: string): Parsed<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'is not valid JSON' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
  return { ok: false, problem: `is malformed${where}: ${issue?.message ?? 'unknown problem'}` };
}

/** R2 keys. Versions are immutable; only the pointer object changes. */
export const R2_PREFIX = 'models/';
export const CURRENT_POINTER_KEY = 'models/current.json';
/** The current version's manifest and model files in one object (core/model-bundle.ts), beside the pointer. */
export const CURRENT_BUNDLE_KEY = 'models/current.bundle';
export const versionKey = (version: string, file: string): string => `${R2_PREFIX}${version}/${file}`;

/** Where the committed default model lives in the repository. */
export const DEFAULT_MODEL_DIR = 'models/default';
