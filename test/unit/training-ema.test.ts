import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { WeightAverage } from '../../training/ema.ts';

/** A one-weight model whose kernel is set to each of `values` in turn, the average updated after each. */
async function averageOf(values: readonly number[], decay: number, uniformFrom?: number): Promise<number> {
  await tf.setBackend('cpu');
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 1, inputShape: [1], useBias: false, kernelInitializer: 'zeros' })],
  });
  const average = new WeightAverage(tf, model, decay, undefined, 0, uniformFrom);
  for (const value of values) {
    model.setWeights([tf.tensor2d([[value]])]);
    average.update();
  }
  const [kernel] = await average.weights();
  average.dispose();
  return kernel?.values[0] as number;
}

describe('the weights’ average', () => {
  it('is a moving average that warms up as (1+n)/(10+n)', async () => {
    // Steps 0 and 1 keep 1/10 and 2/11 of the average, whatever the decay asked for.
    const expected = (0 * 0.1 + 0.9 * 4) * (2 / 11) + (9 / 11) * 8;
    expect(await averageOf([4, 8], 0.999)).toBeCloseTo(expected, 5);
  });

  it('from step `uniformFrom` on, is the plain mean of the weights after every step since (SWA)', async () => {
    expect(await averageOf([100, -50, 2, 4, 9], 0.999, 2)).toBeCloseTo(5, 5);
    expect(await averageOf([100, -50, 2, 4, 9], 0.999, 0)).toBeCloseTo(13, 5);
    // Never reached: the moving average, far from the last three's mean.
    expect(await averageOf([100, -50, 2, 4, 9], 0.999, 10)).not.toBeCloseTo(5, 1);
  });
});
