/** Command-line options of `npm run train` (pure parsing, so it is testable). */
import { parseArgs } from 'node:util';
import type { Precision } from '../core/manifest.ts';

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Train on at most this many digits (quick runs); undefined = all 55,000. */
  readonly limit: number | undefined;
  readonly validationCount: number;
  readonly augment: boolean;
  /** Epochs of linear learning-rate warm-up before the cosine decay (may be fractional). */
  readonly warmupEpochs: number;
  /** ε of label smoothing on the training targets; 0 = plain one-hot. */
  readonly labelSmoothing: number;
  /** Decay of the exponential moving average of the weights per step; 0 = no average. */
  readonly emaDecay: number;
  readonly precision: Precision;
  readonly out: string;
  readonly checkpointDir: string;
  readonly resume: boolean;
  /** With --resume: skip the remaining epochs and export the best checkpointed weights now. */
  readonly exportOnly: boolean;
  /** Evaluate on only the first N test digits (quick runs); undefined = all 10,000. */
  readonly testLimit: number | undefined;
}

export const USAGE = `Usage: npm run train -- [options]
  --epochs N           epochs to train (default 30)
  --batch-size N       digits per batch (default 128)
  --learning-rate X    Adam's peak learning rate, decayed on a cosine to 1% of it (default 0.002)
  --warmup N           epochs of linear warm-up to the peak, per step (default 1; 0 = none)
  --label-smoothing X  ε of label smoothing on the training targets (default 0.1; 0 = none)
  --ema X              decay per step of the weights' moving average, kept when it validates
                       better (default 0.999; 0 = none)
  --seed N             seed for initialisation, shuffling, augmentation and dropout (default 42)
  --limit N            train on the first N of the 55,000 training digits (quick runs)
  --validation N       digits held out from the end of the training set (default 5000)
  --no-augment         train on the digits as they are (default: affine + elastic + photo residue)
  --precision P        exported weights: uint8 (default), float16 or float32
  --out DIR            export folder (default artifacts/model)
  --checkpoint-dir DIR where a checkpoint is saved after every epoch (default <out>.checkpoint)
  --resume             continue from the checkpoint of an interrupted run
  --export-only        with --resume: stop training, export the best checkpointed weights
  --test-limit N       evaluate on the first N test digits only (quick runs)`;

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

export function parseTrainOptions(args: readonly string[]): TrainOptions {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    options: {
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      'learning-rate': { type: 'string' },
      seed: { type: 'string' },
      limit: { type: 'string' },
      validation: { type: 'string' },
      'no-augment': { type: 'boolean' },
      warmup: { type: 'string' },
      'label-smoothing': { type: 'string' },
      ema: { type: 'string' },
      'export-only': { type: 'boolean' },
      precision: { type: 'string' },
      out: { type: 'string' },
      'checkpoint-dir': { type: 'string' },
      resume: { type: 'boolean' },
      'test-limit': { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) throw new HelpRequested(USAGE);
  const precision = (values.precision ?? 'uint8') as Precision;
  if (!['uint8', 'float16', 'float32'].includes(precision)) {
    throw new OptionsError(`--precision must be uint8, float16 or float32, got "${values.precision}"`);
  }
  const seed = values.seed === undefined ? 42 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new OptionsError(`--seed must be a non-negative integer, got "${values.seed}"`);
  const out = values.out ?? 'artifacts/model';
  if (values['export-only'] && !values.resume)
    throw new OptionsError('--export-only exports a checkpoint: add --resume');
  return {
    epochs: positive('epochs', values.epochs, 30),
    batchSize: positive('batch-size', values['batch-size'], 128),
    learningRate: positive('learning-rate', values['learning-rate'], 0.002, false),
    warmupEpochs: fraction('warmup', values.warmup, 1, Number.POSITIVE_INFINITY),
    labelSmoothing: fraction('label-smoothing', values['label-smoothing'], 0.1, 0.5),
    emaDecay: fraction('ema', values.ema, 0.999, 0.99999),
    seed,
    limit: values.limit === undefined ? undefined : positive('limit', values.limit, 0),
    validationCount: positive('validation', values.validation, 5000),
    augment: !values['no-augment'],
    precision,
    out,
    checkpointDir: values['checkpoint-dir'] ?? `${out}.checkpoint`,
    resume: values.resume ?? false,
    exportOnly: values['export-only'] ?? false,
    testLimit:
      values['test-limit'] === undefined ? undefined : positive('test-limit', values['test-limit'], 0),
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
