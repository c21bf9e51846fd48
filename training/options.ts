/** Command-line options of `npm run train` (pure parsing, so it is testable). */
import { type Precision, PrecisionSchema } from '../core/manifest.ts';
import { LAYERS } from '../core/model-spec.ts';
import { type OptionTable, optionHelp, parseCommandLine } from '../scripts/lib/command-line.ts';
import { type AugmentOptions, DEFAULT_AUGMENT } from './augment.ts';

/** The layers `--batch-norm` can normalise: those followed by a ReLU. */
const NORMALISABLE = LAYERS.flatMap((layer) =>
  'activation' in layer && layer.activation === 'relu' ? [layer.name] : [],
);

/** `--optimizer`: Adam (with decoupled weight decay, AdamW) or SGD with Nesterov momentum 0.9. */
const OPTIMIZERS = ['adam', 'sgd'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly seed: number;
  /** Train on at most this many digits (quick runs); undefined = all 55,000. */
  readonly limit: number | undefined;
  readonly validationCount: number;
  readonly augment: boolean;
  /** false: train with the dropout layers passing everything (the served topology keeps them). */
  readonly dropout: boolean;
  /** The augmentation's settings: DEFAULT_AUGMENT with `--augment key=value,…` applied. */
  readonly augmentation: AugmentOptions;
  /** Epochs of linear learning-rate warm-up before the cosine decay (may be fractional). */
  readonly warmupEpochs: number;
  /** ε of label smoothing on the training targets; 0 = plain one-hot. */
  readonly labelSmoothing: number;
  /** Decay of the exponential moving average of the weights per step; 0 = no average. */
  readonly emaDecay: number;
  /** From this epoch on (1-based), the weights' average is their plain mean over every step since (SWA); 0 = never. */
  readonly swaFrom: number;
  /** From `fromEpoch` on (1-based), batches of `size` digits instead of `batchSize`; undefined = never. */
  readonly lateBatch: { readonly fromEpoch: number; readonly size: number } | undefined;
  /** Layers trained with batch norm before their ReLU, folded into them at export; [] = none. */
  readonly batchNorm: readonly string[];
  /** Exports whose mean probabilities are mixed into the targets (distillation); [] = labels only. */
  readonly teachers: readonly string[];
  /** Share of each target taken from the teachers. */
  readonly teacherWeight: number;
  /** Share of training examples replaced by two touching digits with an even target (training/merges.ts). */
  readonly mergeShare: number;
  /** Share of training examples cropped from a touching pair as the number reader cuts them (training/merges.ts). */
  readonly neighbourShare: number;
  /** α of mixup (every training example blended with another of its batch); 0 = none. */
  readonly mixupAlpha: number;
  /** Threads a batch's gradient is computed on (training/parallel.ts); 1 = tfjs's own trainOnBatch. */
  readonly threads: number;
  /** λ of decoupled weight decay: kernels shrink by learning rate × λ after every step; 0 = none. */
  readonly weightDecay: number;
  readonly precision: Precision;
  readonly out: string;
  readonly checkpointDir: string;
  readonly resume: boolean;
  /** An export whose weights the run starts from instead of fresh ones (fine-tuning); undefined = fresh. */
  readonly init: string | undefined;
  /** With --resume: skip the remaining epochs and export the best checkpointed weights now. */
  readonly exportOnly: boolean;
  /** Evaluate on only the first N test digits (quick runs); undefined = all 10,000. */
  readonly testLimit: number | undefined;
  /** Corrections exported by `npm run feedback:export` (training/extra-data.ts); undefined = MNIST only. */
  readonly extra: string | undefined;
  /** Times each training correction is seen per epoch. */
  readonly extraWeight: number;
  /** Share of the corrections held out for the final report. */
  readonly extraHoldOut: number;
  /** Epochs of the fine-tune after the run (`tailOptions`), and its peak learning rate; 0 epochs = none. */
  readonly tail: { readonly epochs: number; readonly learningRate: number };
}

/** The defaults: `npm run train` with no options reproduces the committed model's recipe. */
const TRAIN_DEFAULTS = {
  epochs: 30,
  batchSize: 128,
  optimizer: 'adam',
  learningRate: 0.002,
  warmupEpochs: 1,
  labelSmoothing: 0.05,
  emaDecay: 0.999,
  swaFrom: 0,
  seed: 7,
  validationCount: 5000,
  teacherWeight: 0.5,
  mergeShare: 0,
  neighbourShare: 0,
  mixupAlpha: 0,
  weightDecay: 0.1,
  threads: 2,
  tailEpochs: 6,
  tailLearningRate: 0.0003,
} as const;

const d = TRAIN_DEFAULTS;
const OPTIONS = {
  epochs: { type: 'string', value: 'N', help: `epochs to train (default ${d.epochs})` },
  'batch-size': { type: 'string', value: 'N', help: `digits per batch (default ${d.batchSize})` },
  optimizer: {
    type: 'string',
    value: 'NAME',
    help: `adam, or sgd (Nesterov momentum 0.9; it wants a peak --learning-rate near 0.1 and a --weight-decay near 0.002) (default ${d.optimizer})`,
  },
  'learning-rate': {
    type: 'string',
    value: 'X',
    help: `the optimizer's peak learning rate, decayed on a cosine to 1% of it (default ${d.learningRate})`,
  },
  warmup: {
    type: 'string',
    value: 'N',
    help: `epochs of linear warm-up to the peak, per step (default ${d.warmupEpochs}; 0 = none)`,
  },
  'label-smoothing': {
    type: 'string',
    value: 'X',
    help: `ε of label smoothing on the training targets (default ${d.labelSmoothing}; 0 = none)`,
  },
  ema: {
    type: 'string',
    value: 'X',
    help: `decay per step of the weights' moving average, kept when it validates better; it warms up as (1+n)/(10+n) after n steps, so a decay above 0.999 only counts after about 9,000 steps (default ${d.emaDecay}; 0 = none)`,
  },
  'swa-from': {
    type: 'string',
    value: 'E',
    help: `from the start of epoch E, the weights' average is their plain mean over every step since (stochastic weight averaging) instead of the moving average (default ${d.swaFrom} = never; needs --ema)`,
  },
  'late-batch': {
    type: 'string',
    value: 'E:N',
    help: 'from the start of epoch E, batches of N digits: a larger batch late in training, on the same learning-rate schedule (default none)',
  },
  'batch-norm': {
    type: 'string',
    value: 'L,…',
    help: `train these layers with batch norm before their ReLU, folded into them at export (of ${NORMALISABLE.join(', ')}; default none)`,
  },
  teachers: {
    type: 'string',
    value: 'DIR,…',
    help: "distil: mix these exports' mean probabilities on each training digit into its target (default none)",
  },
  'teacher-weight': {
    type: 'string',
    value: 'X',
    help: `with --teachers: the share of each target taken from them (default ${d.teacherWeight})`,
  },
  merges: {
    type: 'string',
    value: 'X',
    help: `share of training digits replaced by two touching digits with an even target, so the model is unsure of a merged pair (default ${d.mergeShare}; needs augmentation)`,
  },
  neighbours: {
    type: 'string',
    value: 'X',
    help: `share of training digits shown as the number reader crops them from a touching pair: a sliver of a neighbour kept or of their own lost (default ${d.neighbourShare}; needs augmentation)`,
  },
  mixup: {
    type: 'string',
    value: 'A',
    help: `blend every training digit with another of its batch, pixels and targets, by λ = max(b, 1 − b), b ~ Beta(A, A) (mixup; default ${d.mixupAlpha} = none; needs augmentation)`,
  },
  threads: {
    type: 'string',
    value: 'N',
    help: `compute each batch on N threads, data-parallel (default ${d.threads}, about twice as fast as 1 on 2 cores; 1 with --batch-norm, which a split batch would normalise per part)`,
  },
  'weight-decay': {
    type: 'string',
    value: 'X',
    help: `λ of decoupled weight decay (AdamW, or SGD's own): kernels shrink by learning rate × λ after every step (default ${d.weightDecay}; 0 = none)`,
  },
  seed: {
    type: 'string',
    value: 'N',
    help: `seed for initialisation, shuffling, augmentation and dropout (default ${d.seed})`,
  },
  limit: {
    type: 'string',
    value: 'N',
    help: 'train on the first N of the 55,000 training digits (quick runs)',
  },
  validation: {
    type: 'string',
    value: 'N',
    help: `digits held out from the end of the training set (default ${d.validationCount})`,
  },
  'no-augment': {
    type: 'boolean',
    help: 'train on the digits as they are (default: affine + elastic + photo residue)',
  },
  'no-dropout': {
    type: 'boolean',
    help: 'train with the dropout layers passing everything, e.g. a last fine-tune with --init (the export keeps the reference topology: dropout does nothing at inference)',
  },
  augment: {
    type: 'string',
    value: 'K=V,…',
    help: `change augmentation settings, e.g. elasticProbability=0.7,blurProbability=0 (keys: ${Object.keys(DEFAULT_AUGMENT).join(', ')}; scaleRange=0.9:1.1)`,
  },
  precision: { type: 'string', value: 'P', help: 'exported weights: uint8 (default), float16 or float32' },
  out: { type: 'string', value: 'DIR', help: 'export folder (default artifacts/model)' },
  'checkpoint-dir': {
    type: 'string',
    value: 'DIR',
    help: 'where a checkpoint is saved after every epoch (default <out>.checkpoint)',
  },
  resume: { type: 'boolean', help: 'continue from the checkpoint of an interrupted run' },
  init: {
    type: 'string',
    value: 'DIR',
    help: "start from this export's weights instead of fresh ones, e.g. to average a fine-tune of the served model with --swa-from 1 (default none)",
  },
  'export-only': {
    type: 'boolean',
    help: 'with --resume: stop training, export the best checkpointed weights',
  },
  'test-limit': { type: 'string', value: 'N', help: 'evaluate on the first N test digits only (quick runs)' },
  extra: {
    type: 'string',
    value: 'DIR',
    help: 'also train on corrections exported by npm run feedback:export',
  },
  'extra-weight': { type: 'string', value: 'N', help: 'times each correction is seen per epoch (default 5)' },
  'extra-holdout': {
    type: 'string',
    value: 'X',
    help: 'share of the corrections held out and reported at the end (default 0.2)',
  },
  tail: {
    type: 'string',
    value: 'N',
    help: `after the run, fine-tune its export N more epochs without dropout or augmentation, from a fresh optimiser and no weight decay (default ${d.tailEpochs}; 0 = none; the run's own export is kept in <out>-base)`,
  },
  'tail-learning-rate': {
    type: 'string',
    value: 'X',
    help: `peak learning rate of that fine-tune, cosine to 1% of it without warm-up (default ${d.tailLearningRate})`,
  },
  help: { type: 'boolean', short: 'h', help: 'show this help' },
} as const satisfies OptionTable;

export const USAGE = `Usage: npm run train -- [options]\n${optionHelp(OPTIONS)}`;

export class OptionsError extends Error {
  override readonly name = 'OptionsError';
}

/** `--help`: not an error, but it also ends the command. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

function positive(name: string, text: string | undefined, fallback: number, integer = true): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new OptionsError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got "${text}"`);
  }
  return value;
}

function fraction(name: string, text: string | undefined, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > max) {
    throw new OptionsError(`--${name} must be a number from 0 to ${max}, got "${text}"`);
  }
  return value;
}

/** `key=value,…` over DEFAULT_AUGMENT; every key must be a setting, every value a non-negative number. */
function parseAugmentation(text: string | undefined): AugmentOptions {
  if (text === undefined) return DEFAULT_AUGMENT;
  const settings: Record<string, unknown> = { ...DEFAULT_AUGMENT };
  for (const pair of text.split(',')) {
    const [key = '', value = ''] = pair.split('=');
    if (!Object.hasOwn(DEFAULT_AUGMENT, key))
      throw new OptionsError(
        `--augment: unknown setting "${key}" (known: ${Object.keys(DEFAULT_AUGMENT).join(', ')})`,
      );
    const numbers = value.split(':').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
    const wanted = key === 'scaleRange' ? 2 : 1;
    if (numbers.length !== wanted || numbers.some((n) => !Number.isFinite(n) || n < 0))
      throw new OptionsError(
        `--augment: ${key} takes ${wanted === 2 ? 'two non-negative numbers as MIN:MAX' : 'a non-negative number'}, got "${value}"`,
      );
    settings[key] = key === 'scaleRange' ? numbers : numbers[0];
  }
  return settings as unknown as AugmentOptions;
}

/** `--batch-norm conv2,dense1`: hidden layers with a ReLU, each named once. */
function parseLayerList(text: string | undefined): readonly string[] {
  if (text === undefined) return [];
  const layers = text.split(',').map((name) => name.trim());
  for (const layer of layers)
    if (!NORMALISABLE.includes(layer))
      throw new OptionsError(`--batch-norm: "${layer}" is not one of ${NORMALISABLE.join(', ')}`);
  if (new Set(layers).size !== layers.length) throw new OptionsError('--batch-norm names a layer twice');
  return layers;
}

/** `--late-batch E:N`: one of the epochs after the first, and a batch larger than the usual one. */
function parseLateBatch(
  text: string | undefined,
  epochs: number,
  batchSize: number,
): TrainOptions['lateBatch'] {
  if (text === undefined) return undefined;
  const parts = text.split(':').map((part) => (part.trim() === '' ? Number.NaN : Number(part)));
  const [fromEpoch = Number.NaN, size = Number.NaN] = parts;
  if (parts.length !== 2 || !Number.isInteger(fromEpoch) || !Number.isInteger(size))
    throw new OptionsError(`--late-batch takes an epoch and a batch size as E:N, got "${text}"`);
  if (!(fromEpoch >= 2 && fromEpoch <= epochs))
    throw new OptionsError(`--late-batch: the epoch must be one of 2 to ${epochs}, got ${fromEpoch}`);
  if (!(size > batchSize))
    throw new OptionsError(
      `--late-batch: the batch must be larger than --batch-size ${batchSize}, got ${size}`,
    );
  return { fromEpoch, size };
}

/** `--teachers a,b`: export folders, none empty; `--teacher-weight` alone would silently do nothing. */
function parseTeachers(text: string | undefined, weight: string | undefined): readonly string[] {
  if (text === undefined) {
    if (weight !== undefined) throw new OptionsError('--teacher-weight needs --teachers');
    return [];
  }
  const directories = text.split(',').map((directory) => directory.trim());
  if (directories.some((directory) => directory === ''))
    throw new OptionsError(`--teachers takes export folders separated by commas, got "${text}"`);
  return directories;
}

export function parseTrainOptions(args: readonly string[]): TrainOptions {
  const { values } = parseCommandLine(args, OPTIONS, (message) => new OptionsError(message));
  if (values.help) throw new HelpRequested(USAGE);
  const precision = PrecisionSchema.safeParse(values.precision ?? 'uint8');
  if (!precision.success) {
    throw new OptionsError(`--precision must be uint8, float16 or float32, got "${values.precision}"`);
  }
  const seed = values.seed === undefined ? d.seed : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new OptionsError(`--seed must be a non-negative integer, got "${values.seed}"`);
  const out = values.out ?? 'artifacts/model';
  for (const name of ['merges', 'neighbours', 'mixup'] as const) {
    if (values[name] !== undefined && values['no-augment'])
      throw new OptionsError(`--${name} is a kind of augmentation: drop --no-augment`);
  }
  if (values.threads !== undefined && values['batch-norm'] !== undefined && values.threads !== '1')
    throw new OptionsError(
      "--threads: batch norm would normalise each thread's part on its own; train it on one thread",
    );
  if (values.init !== undefined && values['batch-norm'] !== undefined)
    throw new OptionsError(
      '--init: an export holds the reference layers only (batch norm folded in); fine-tune it without --batch-norm',
    );
  if (values['export-only'] && !values.resume)
    throw new OptionsError('--export-only exports a checkpoint: add --resume');
  const extraHoldOut = values['extra-holdout'] === undefined ? 0.2 : Number(values['extra-holdout']);
  if (!(extraHoldOut >= 0 && extraHoldOut < 1))
    throw new OptionsError(
      `--extra-holdout must be from 0 up to (not including) 1, got "${values['extra-holdout']}"`,
    );
  const epochs = positive('epochs', values.epochs, d.epochs);
  const emaDecay = fraction('ema', values.ema, d.emaDecay, 0.99999);
  const swaFrom = values['swa-from'] === undefined ? d.swaFrom : positive('swa-from', values['swa-from'], 0);
  if (swaFrom > epochs)
    throw new OptionsError(`--swa-from must name one of the ${epochs} epochs, got ${swaFrom}`);
  if (swaFrom > 0 && emaDecay === 0)
    throw new OptionsError('--swa-from averages the weights: it needs --ema above 0');
  const batchSize = positive('batch-size', values['batch-size'], d.batchSize);
  const optimizer = values.optimizer ?? d.optimizer;
  if (!(OPTIMIZERS as readonly string[]).includes(optimizer))
    throw new OptionsError(`--optimizer must be ${OPTIMIZERS.join(' or ')}, got "${optimizer}"`);
  return {
    epochs,
    batchSize,
    optimizer: optimizer as OptimizerName,
    learningRate: positive('learning-rate', values['learning-rate'], d.learningRate, false),
    warmupEpochs: fraction('warmup', values.warmup, d.warmupEpochs, Number.POSITIVE_INFINITY),
    labelSmoothing: fraction('label-smoothing', values['label-smoothing'], d.labelSmoothing, 0.5),
    emaDecay,
    swaFrom,
    lateBatch: parseLateBatch(values['late-batch'], epochs, batchSize),
    batchNorm: parseLayerList(values['batch-norm']),
    teachers: parseTeachers(values.teachers, values['teacher-weight']),
    teacherWeight: fraction('teacher-weight', values['teacher-weight'], d.teacherWeight, 1),
    mergeShare: fraction('merges', values.merges, d.mergeShare, 0.5),
    neighbourShare: fraction('neighbours', values.neighbours, d.neighbourShare, 0.5),
    mixupAlpha: fraction('mixup', values.mixup, d.mixupAlpha, 10),
    threads: positive('threads', values.threads, values['batch-norm'] === undefined ? d.threads : 1),
    weightDecay: fraction('weight-decay', values['weight-decay'], d.weightDecay, 1),
    seed,
    limit: values.limit === undefined ? undefined : positive('limit', values.limit, 0),
    validationCount: positive('validation', values.validation, d.validationCount),
    augment: !values['no-augment'],
    dropout: !values['no-dropout'],
    augmentation: parseAugmentation(values.augment),
    precision: precision.data,
    out,
    checkpointDir: values['checkpoint-dir'] ?? `${out}.checkpoint`,
    resume: values.resume ?? false,
    init: values.init,
    exportOnly: values['export-only'] ?? false,
    testLimit:
      values['test-limit'] === undefined ? undefined : positive('test-limit', values['test-limit'], 0),
    extra: values.extra,
    extraWeight: positive('extra-weight', values['extra-weight'], 5),
    extraHoldOut,
    tail: {
      epochs:
        values.tail === undefined ? d.tailEpochs : values.tail === '0' ? 0 : positive('tail', values.tail, 0),
      learningRate: positive('tail-learning-rate', values['tail-learning-rate'], d.tailLearningRate, false),
    },
  };
}

/**
 * The fine-tune `--tail N` runs after a run has exported to `base`: `--init base` for N epochs without dropout,
 * augmentation, weight decay or warm-up, writing the run's own `out`. Everything else of the run (seed, batch,
 * label smoothing, weight average, threads, validation split) carries over; what only fits training from
 * scratch (batch norm, merges, teachers, late batches, SWA) does not.
 */
export function tailOptions(options: TrainOptions, base: string): TrainOptions {
  return {
    ...options,
    init: base,
    epochs: options.tail.epochs,
    learningRate: options.tail.learningRate,
    warmupEpochs: 0,
    augment: false,
    dropout: false,
    weightDecay: 0,
    swaFrom: 0,
    lateBatch: undefined,
    batchNorm: [],
    threads: options.batchNorm.length > 0 ? d.threads : options.threads,
    teachers: [],
    mergeShare: 0,
    neighbourShare: 0,
    mixupAlpha: 0,
    checkpointDir: `${options.checkpointDir}-tail`,
    exportOnly: false,
    tail: { epochs: 0, learningRate: options.tail.learningRate },
  };
}

/** Where the cosine ends, as a fraction of the peak. */
export const FINAL_LEARNING_RATE_FRACTION = 0.01;

/**
 * Learning rate at `step` (0-based) of `steps`: linear warm-up from 1% of the peak over `warmupSteps`,
 * then a cosine decay from the peak to 1% of it at the last step.
 */
export function learningRateAt(peak: number, step: number, steps: number, warmupSteps = 0): number {
  const floor = FINAL_LEARNING_RATE_FRACTION;
  if (step < warmupSteps) return peak * (floor + (1 - floor) * (step / warmupSteps));
  const progress = Math.min(1, (step - warmupSteps) / Math.max(1, steps - 1 - warmupSteps));
  return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/**
 * How a run's epochs are cut into batches when `--late-batch` changes their size. The learning-rate schedule
 * counts steps of the usual batch, and a larger batch advances it by as many of them as it holds; dropout
 * seeds count the steps taken. The epochs before the change are step for step those of a run without it.
 */
export function batchPlan(options: Pick<TrainOptions, 'epochs' | 'batchSize' | 'lateBatch'>, digits: number) {
  const sizeAt = (epoch: number) =>
    options.lateBatch && epoch >= options.lateBatch.fromEpoch ? options.lateBatch.size : options.batchSize;
  const batchesAt = (epoch: number) => Math.ceil(digits / sizeAt(epoch));
  const usualBatches = Math.ceil(digits / options.batchSize);
  return {
    sizeAt,
    batchesAt,
    /** Batches of the usual size in an epoch: the unit of the learning-rate schedule. */
    usualBatches,
    /** Steps of the usual batch in the whole run: the schedule's length. */
    scheduleSteps: usualBatches * options.epochs,
    /** Where batch `b` (0-based) of `epoch` (1-based) stands on the schedule, in steps of the usual batch. */
    schedulePosition: (epoch: number, b: number) =>
      (epoch - 1) * usualBatches + (b * usualBatches) / batchesAt(epoch),
    /** Optimiser steps taken before `epoch` (1-based) starts. */
    stepsBefore: (epoch: number) => {
      let steps = 0;
      for (let e = 1; e < epoch; e++) steps += batchesAt(e);
      return steps;
    },
  };
}
