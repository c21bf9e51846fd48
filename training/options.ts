/** Command-line options of `npm run train` (pure parsing, so it is testable). */
import { type Precision, PrecisionSchema } from '../core/manifest.ts';
import { type OptionTable, optionHelp, parseCommandLine } from '../scripts/lib/command-line.ts';

export interface TrainOptions {
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  /** Train on at most this many digits (quick runs); undefined = all 55,000. */
  readonly limit: number | undefined;
  readonly validationCount: number;
  readonly augment: boolean;
  readonly precision: Precision;
  readonly out: string;
  readonly checkpointDir: string;
  readonly resume: boolean;
  /** Evaluate on only the first N test digits (quick runs); undefined = all 10,000. */
  readonly testLimit: number | undefined;
  /** Corrections exported by `npm run feedback:export` (training/extra-data.ts); undefined = MNIST only. */
  readonly extra: string | undefined;
  /** Times each training correction is seen per epoch. */
  readonly extraWeight: number;
  /** Share of the corrections held out for the final report. */
  readonly extraHoldOut: number;
}

const OPTIONS = {
  epochs: { type: 'string', value: 'N', help: 'epochs to train (default 16)' },
  'batch-size': { type: 'string', value: 'N', help: 'digits per batch (default 128)' },
  'learning-rate': {
    type: 'string',
    value: 'X',
    help: "Adam's peak learning rate, decayed on a cosine (default 0.0015)",
  },
  seed: {
    type: 'string',
    value: 'N',
    help: 'seed for initialisation, shuffling, augmentation and dropout (default 42)',
  },
  limit: {
    type: 'string',
    value: 'N',
    help: 'train on the first N of the 55,000 training digits (quick runs)',
  },
  validation: {
    type: 'string',
    value: 'N',
    help: 'digits held out from the end of the training set (default 5000)',
  },
  'no-augment': { type: 'boolean', help: 'train on the digits as they are' },
  precision: { type: 'string', value: 'P', help: 'exported weights: uint8 (default), float16 or float32' },
  out: { type: 'string', value: 'DIR', help: 'export folder (default artifacts/model)' },
  'checkpoint-dir': {
    type: 'string',
    value: 'DIR',
    help: 'where a checkpoint is saved after every epoch (default <out>.checkpoint)',
  },
  resume: { type: 'boolean', help: 'continue from the checkpoint of an interrupted run' },
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

export function parseTrainOptions(args: readonly string[]): TrainOptions {
  const { values } = parseCommandLine(args, OPTIONS, (message) => new OptionsError(message));
  if (values.help) throw new HelpRequested(USAGE);
  const precision = PrecisionSchema.safeParse(values.precision ?? 'uint8');
  if (!precision.success) {
    throw new OptionsError(`--precision must be uint8, float16 or float32, got "${values.precision}"`);
  }
  const seed = values.seed === undefined ? 42 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new OptionsError(`--seed must be a non-negative integer, got "${values.seed}"`);
  const out = values.out ?? 'artifacts/model';
  const extraHoldOut = values['extra-holdout'] === undefined ? 0.2 : Number(values['extra-holdout']);
  if (!(extraHoldOut >= 0 && extraHoldOut < 1))
    throw new OptionsError(
      `--extra-holdout must be from 0 up to (not including) 1, got "${values['extra-holdout']}"`,
    );
  return {
    epochs: positive('epochs', values.epochs, 16),
    batchSize: positive('batch-size', values['batch-size'], 128),
    learningRate: positive('learning-rate', values['learning-rate'], 0.0015, false),
    seed,
    limit: values.limit === undefined ? undefined : positive('limit', values.limit, 0),
    validationCount: positive('validation', values.validation, 5000),
    augment: !values['no-augment'],
    precision: precision.data,
    out,
    checkpointDir: values['checkpoint-dir'] ?? `${out}.checkpoint`,
    resume: values.resume ?? false,
    testLimit:
      values['test-limit'] === undefined ? undefined : positive('test-limit', values['test-limit'], 0),
    extra: values.extra,
    extraWeight: positive('extra-weight', values['extra-weight'], 5),
    extraHoldOut,
  };
}

/** Cosine decay from the peak to 2% of it over the run. */
export const learningRateAt = (peak: number, epoch: number, epochs: number) =>
  peak * (0.02 + 0.98 * 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(1, epochs))));
