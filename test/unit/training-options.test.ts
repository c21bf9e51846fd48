import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelManifestSchema } from '../../core/manifest.ts';
import { DEFAULT_AUGMENT } from '../../training/augment.ts';
import {
  batchPlan,
  HelpRequested,
  learningRateAt,
  OptionsError,
  parseTrainOptions,
  tailOptions,
} from '../../training/options.ts';

describe('npm run train options', () => {
  it('defaults to the run that produced the committed model', () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(readFileSync(new URL('../../models/default/manifest.json', import.meta.url), 'utf8')),
    );
    // The committed model is a run fine-tuned by --tail: the run is in fineTuneOf, the fine-tune on top.
    const committed = manifest.fineTuneOf?.training ?? manifest.training;
    const tail = manifest.fineTuneOf ? manifest.training : undefined;
    expect(parseTrainOptions([]).tail).toEqual({
      epochs: tail?.epochs ?? 0,
      learningRate: tail?.learningRate ?? 0.0003,
    });
    if (tail) {
      const defaults = parseTrainOptions([]);
      const tuned = tailOptions(defaults, 'base');
      expect(tail).toMatchObject({ batchSize: tuned.batchSize, seed: tuned.seed, augment: tuned.augment });
      expect(tail.recipe).toMatchObject({
        warmupEpochs: tuned.warmupEpochs,
        labelSmoothing: tuned.labelSmoothing,
        emaDecay: tuned.emaDecay,
        dropout: 'off',
      });
      expect(tail.recipe).not.toHaveProperty('weightDecay');
    }
    const recipe = committed.recipe ?? {};
    // The manifest names the thread count only in its backend ("… 2 threads, data-parallel …").
    const threads = Number(/(\d+) threads/.exec(committed.backend)?.[1] ?? 1);
    expect(parseTrainOptions([])).toMatchObject({
      epochs: committed.epochs,
      batchSize: committed.batchSize,
      learningRate: committed.learningRate,
      warmupEpochs: recipe.warmupEpochs,
      labelSmoothing: recipe.labelSmoothing,
      emaDecay: recipe.emaDecay,
      seed: committed.seed,
      validationCount: committed.validationExamples,
      augment: committed.augment,
      augmentation: recipe.augmentation,
      weightDecay: recipe.weightDecay ?? 0,
      threads,
      exportOnly: false,
      limit: undefined,
      precision: 'uint8',
      out: 'artifacts/model',
      checkpointDir: 'artifacts/model.checkpoint',
      resume: false,
    });
  });

  it('reads every option', () => {
    const options = parseTrainOptions(
      ['--epochs', '3', '--batch-size', '64', '--learning-rate', '0.01', '--seed', '0', '--limit', '500']
        .concat(['--no-augment', '--precision', 'float16', '--out', 'x', '--resume', '--test-limit', '100'])
        .concat(['--warmup', '0.5', '--label-smoothing', '0', '--ema', '0', '--export-only', '--no-dropout']),
    );
    expect(options).toMatchObject({ warmupEpochs: 0.5, labelSmoothing: 0, emaDecay: 0, exportOnly: true });
    expect(options.dropout).toBe(false);
    expect(parseTrainOptions([]).dropout).toBe(true);
    expect(options).toMatchObject({
      epochs: 3,
      batchSize: 64,
      learningRate: 0.01,
      seed: 0,
      limit: 500,
      augment: false,
    });
    expect(options).toMatchObject({
      precision: 'float16',
      out: 'x',
      checkpointDir: 'x.checkpoint',
      resume: true,
      testLimit: 100,
    });
  });

  it('averages the weights uniformly from a given epoch only where there is an average', () => {
    expect(parseTrainOptions([]).swaFrom).toBe(0);
    expect(parseTrainOptions(['--swa-from', '21']).swaFrom).toBe(21);
    expect(() => parseTrainOptions(['--swa-from', '31'])).toThrow(/one of the 30 epochs/);
    expect(() => parseTrainOptions(['--swa-from', '0'])).toThrow(/positive integer/);
    expect(() => parseTrainOptions(['--swa-from', '3', '--ema', '0'])).toThrow(/needs --ema/);
  });

  it('blends training digits (mixup) only when asked, and only with augmentation', () => {
    expect(parseTrainOptions([]).mixupAlpha).toBe(0);
    expect(parseTrainOptions(['--mixup', '0.2']).mixupAlpha).toBe(0.2);
    expect(() => parseTrainOptions(['--mixup=-1'])).toThrow(/from 0 to 10/);
    expect(() => parseTrainOptions(['--mixup', '0.2', '--no-augment'])).toThrow(/drop --no-augment/);
  });

  it('starts from an export only when asked (--init)', () => {
    expect(parseTrainOptions([]).init).toBeUndefined();
    expect(parseTrainOptions(['--init', 'models/default', '--swa-from', '1']).init).toBe('models/default');
    expect(() => parseTrainOptions(['--init', 'models/default', '--batch-norm', 'conv2'])).toThrow(
      /without --batch-norm/,
    );
  });

  it('takes a larger batch from a later epoch, and refuses one that changes nothing', () => {
    expect(parseTrainOptions([]).lateBatch).toBeUndefined();
    expect(parseTrainOptions(['--late-batch', '16:256']).lateBatch).toEqual({ fromEpoch: 16, size: 256 });
    expect(() => parseTrainOptions(['--late-batch', '256'])).toThrow(/as E:N/);
    expect(() => parseTrainOptions(['--late-batch', '16:256:2'])).toThrow(/as E:N/);
    expect(() => parseTrainOptions(['--late-batch', '1:256'])).toThrow(/one of 2 to 30/);
    expect(() => parseTrainOptions(['--late-batch', '31:256'])).toThrow(/one of 2 to 30/);
    expect(() => parseTrainOptions(['--late-batch', '16:128'])).toThrow(/larger than --batch-size 128/);
  });

  it('keeps the schedule of the usual batch when the batch grows', () => {
    const usual = batchPlan({ epochs: 4, batchSize: 100, lateBatch: undefined }, 1000);
    const late = batchPlan({ epochs: 4, batchSize: 100, lateBatch: { fromEpoch: 3, size: 250 } }, 1000);
    expect([1, 2, 3, 4].map(late.batchesAt)).toEqual([10, 10, 4, 4]);
    expect([1, 2, 3, 4].map(late.sizeAt)).toEqual([100, 100, 250, 250]);
    expect(late.usualBatches).toBe(10);
    expect(late.scheduleSteps).toBe(usual.scheduleSteps);
    // Before the change, step for step the usual run; after it, each batch stands for 2.5 usual steps.
    for (const b of [0, 7, 9]) expect(late.schedulePosition(2, b)).toBe(usual.schedulePosition(2, b));
    expect([0, 1, 2, 3].map((b) => late.schedulePosition(3, b))).toEqual([20, 22.5, 25, 27.5]);
    expect(late.schedulePosition(4, 3)).toBeLessThan(late.scheduleSteps);
    expect([1, 3, 4, 5].map(late.stepsBefore)).toEqual([0, 20, 24, 28]);
    expect(usual.stepsBefore(5)).toBe(40);
  });

  it('changes single augmentation settings and keeps the others', () => {
    const { augmentation } = parseTrainOptions([
      '--augment',
      'elasticProbability=1,blurProbability=0,scaleRange=0.8:1.2',
    ]);
    expect(augmentation).toEqual({
      ...DEFAULT_AUGMENT,
      elasticProbability: 1,
      blurProbability: 0,
      scaleRange: [0.8, 1.2],
    });
    expect(() => parseTrainOptions(['--augment', 'elastic=1'])).toThrow(/unknown setting "elastic"/);
    expect(() => parseTrainOptions(['--augment', 'maxShear=-1'])).toThrow(
      /maxShear takes a non-negative number/,
    );
    expect(() => parseTrainOptions(['--augment', 'maxShear='])).toThrow(/got ""/);
    expect(() => parseTrainOptions(['--augment', 'scaleRange=0.9'])).toThrow(/MIN:MAX/);
  });

  it('names the layers trained with batch norm: hidden layers with a ReLU, once each', () => {
    expect(parseTrainOptions([]).batchNorm).toEqual([]);
    expect(parseTrainOptions(['--batch-norm', 'conv2,dense1']).batchNorm).toEqual(['conv2', 'dense1']);
    expect(() => parseTrainOptions(['--batch-norm', 'dense2'])).toThrow(
      /"dense2" is not one of conv1, conv2, dense1/,
    );
    expect(() => parseTrainOptions(['--batch-norm', 'pool1'])).toThrow(OptionsError);
    expect(() => parseTrainOptions(['--batch-norm', 'conv1,conv1'])).toThrow(/twice/);
  });

  it('reads the teachers to distil from, and the share of the targets they get', () => {
    expect(parseTrainOptions([])).toMatchObject({ teachers: [], teacherWeight: 0.5 });
    expect(parseTrainOptions(['--teachers', 'a/model, b', '--teacher-weight', '0.3'])).toMatchObject({
      teachers: ['a/model', 'b'],
      teacherWeight: 0.3,
    });
    expect(() => parseTrainOptions(['--teachers', 'a,,b'])).toThrow(/export folders separated by commas/);
    expect(() => parseTrainOptions(['--teachers', 'a', '--teacher-weight', '1.5'])).toThrow(
      /--teacher-weight must be a number from 0 to 1/,
    );
    expect(() => parseTrainOptions(['--teacher-weight', '0.3'])).toThrow(/needs --teachers/);
  });

  it('reads the share of merged pairs, an augmentation', () => {
    expect(parseTrainOptions([]).mergeShare).toBe(0);
    expect(parseTrainOptions(['--merges', '0.1']).mergeShare).toBe(0.1);
    expect(() => parseTrainOptions(['--merges', '0.8'])).toThrow(/--merges must be a number from 0 to 0.5/);
    expect(() => parseTrainOptions(['--merges', '0.1', '--no-augment'])).toThrow(/drop --no-augment/);
  });

  it('reads the thread count, two by default and one with batch norm', () => {
    expect(parseTrainOptions([]).threads).toBe(2);
    expect(parseTrainOptions(['--batch-norm', 'conv2']).threads).toBe(1);
    expect(parseTrainOptions(['--threads', '1']).threads).toBe(1);
    expect(parseTrainOptions(['--threads', '2']).threads).toBe(2);
    expect(() => parseTrainOptions(['--threads', '0'])).toThrow(/--threads must be a positive integer/);
    expect(() => parseTrainOptions(['--threads', '2', '--batch-norm', 'conv2'])).toThrow(
      /--threads: batch norm/,
    );
  });

  it('reads the weight decay, 0.1 by default (the served recipe)', () => {
    expect(parseTrainOptions([]).weightDecay).toBe(0.1);
    expect(parseTrainOptions(['--weight-decay', '0']).weightDecay).toBe(0);
    expect(parseTrainOptions(['--weight-decay', '0.05']).weightDecay).toBe(0.05);
    expect(() => parseTrainOptions(['--weight-decay', '1.5'])).toThrow(
      /--weight-decay must be a number from 0 to 1/,
    );
  });

  it('reads the optimizer: Adam by default (the served recipe), or SGD with Nesterov momentum', () => {
    expect(parseTrainOptions([]).optimizer).toBe('adam');
    expect(parseTrainOptions(['--optimizer', 'sgd']).optimizer).toBe('sgd');
    expect(() => parseTrainOptions(['--optimizer', 'rmsprop'])).toThrow(
      /--optimizer must be adam or sgd, got "rmsprop"/,
    );
  });

  it('refuses nonsense with a clear message', () => {
    expect(() => parseTrainOptions(['--epochs', '0'])).toThrow(OptionsError);
    expect(() => parseTrainOptions(['--epochs', '2.5'])).toThrow(
      /--epochs must be a positive integer, got "2.5"/,
    );
    expect(() => parseTrainOptions(['--learning-rate', 'NaN'])).toThrow(
      /--learning-rate must be a positive number/,
    );
    expect(() => parseTrainOptions(['--precision', 'int4'])).toThrow(/uint8, float16 or float32/);
    expect(() => parseTrainOptions(['--seed', '-1'])).toThrow(/--seed/);
    expect(() => parseTrainOptions(['--what'])).toThrow('unknown option --what');
    expect(() => parseTrainOptions(['--help'])).toThrow(HelpRequested);
    expect(() => parseTrainOptions(['--label-smoothing', '0.9'])).toThrow(
      /--label-smoothing must be a number from 0 to 0.5/,
    );
    expect(() => parseTrainOptions(['--ema', '1'])).toThrow(/--ema must be a number from 0/);
    expect(() => parseTrainOptions(['--warmup', ''])).toThrow(/--warmup/);
    expect(() => parseTrainOptions(['--export-only'])).toThrow(/add --resume/);
  });

  it('warms the learning rate up linearly, then decays it on a cosine from the peak to 1% of it', () => {
    expect(learningRateAt(1, 0, 101, 10)).toBeCloseTo(0.01);
    expect(learningRateAt(1, 5, 101, 10)).toBeCloseTo(0.505);
    expect(learningRateAt(1, 10, 101, 10)).toBeCloseTo(1);
    expect(learningRateAt(1, 55, 101, 10)).toBeCloseTo(0.505);
    expect(learningRateAt(1, 100, 101, 10)).toBeCloseTo(0.01);
    expect(learningRateAt(1, 0, 11)).toBeCloseTo(1);
    for (let step = 11; step < 100; step++)
      expect(learningRateAt(1, step + 1, 101, 10)).toBeLessThan(learningRateAt(1, step, 101, 10));
  });
});

describe('--tail N', () => {
  it('is the fine-tune a run then makes of its own export: --init it without dropout or augmentation', () => {
    const run = parseTrainOptions(['--out', 'x']);
    // On by default: it is how the served model (run T) was made from run J.
    expect(run.tail).toEqual({ epochs: 6, learningRate: 0.0003 });
    expect(parseTrainOptions(['--tail', '0']).tail.epochs).toBe(0);
    // The same options as the command that fine-tuned run J into run T (docs/model.md).
    expect(tailOptions(run, 'x-base')).toEqual(
      parseTrainOptions(
        ['--init', 'x-base', '--epochs', '6', '--learning-rate', '0.0003', '--warmup', '0']
          .concat(['--no-augment', '--no-dropout', '--weight-decay', '0'])
          .concat(['--tail', '0', '--out', 'x', '--checkpoint-dir', 'x.checkpoint-tail']),
      ),
    );
    // What only fits training from scratch does not carry over; the seed and the average do.
    const fancy = tailOptions(
      parseTrainOptions(['--tail', '2', '--batch-norm', 'dense1', '--merges', '0.1', '--seed', '3']),
      'b',
    );
    expect(fancy).toMatchObject({ batchNorm: [], mergeShare: 0, seed: 3, threads: 2, epochs: 2 });
    expect(() => parseTrainOptions(['--tail', '0.5'])).toThrow(/--tail must be a positive integer/);
  });
});
