import { describe, expect, it } from 'vitest';
import { HelpRequested, learningRateAt, OptionsError, parseTrainOptions } from '../../training/options.ts';

describe('npm run train options', () => {
  it('defaults to the run that produced the committed model', () => {
    expect(parseTrainOptions([])).toMatchObject({
      epochs: 16,
      batchSize: 128,
      learningRate: 0.0015,
      seed: 42,
      limit: undefined,
      validationCount: 5000,
      augment: true,
      precision: 'uint8',
      out: 'artifacts/model',
      checkpointDir: 'artifacts/model.checkpoint',
      resume: false,
    });
  });

  it('reads every option', () => {
    const options = parseTrainOptions(
      [
        '--epochs',
        '3',
        '--batch-size',
        '64',
        '--learning-rate',
        '0.01',
        '--seed',
        '0',
        '--limit',
        '500',
      ].concat(['--no-augment', '--precision', 'float16', '--out', 'x', '--resume', '--test-limit', '100']),
    );
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
  });

  it('decays the learning rate on a cosine from the peak to 2% of it', () => {
    expect(learningRateAt(1, 0, 10)).toBeCloseTo(1);
    expect(learningRateAt(1, 5, 10)).toBeCloseTo(0.51);
    expect(learningRateAt(1, 10, 10)).toBeCloseTo(0.02);
  });
});
