import type * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmForTraining } from '../../training/backend.ts';
import { compileModel, createModel, setLearningRate } from '../../training/model.ts';
import type { OptimizerName } from '../../training/options.ts';

/** How far one step on a fixed batch moves the first kernel, at `learningRate` set by the schedule's hook. */
async function stepSize(tfjs: typeof tf, optimizer: OptimizerName, learningRate: number): Promise<number> {
  const model = createModel();
  compileModel(model, 0.5, optimizer);
  setLearningRate(model, learningRate);
  const before = model.getWeights()[0]?.dataSync().slice() as Float32Array;
  const pixels = tfjs.tidy(() => tfjs.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 3));
  const labels = tfjs.oneHot(tfjs.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  await model.trainOnBatch(pixels, labels);
  const after = model.getWeights()[0]?.dataSync() as Float32Array;
  tfjs.dispose([pixels, labels]);
  return Math.max(...before.map((value, i) => Math.abs((after[i] as number) - value)));
}

describe('the optimizers of npm run train', () => {
  let tfjs: typeof tf;
  beforeAll(async () => {
    tfjs = await useWasmForTraining();
  }, 120_000);

  // The schedule sets the learning rate before every step: Adam keeps it as a number, SGD as a tensor that
  // only setLearningRate replaces, so a missed update would leave SGD at the rate it was compiled with.
  it.each(['adam', 'sgd'] as const)('%s steps by the learning rate the schedule sets', async (optimizer) => {
    expect(await stepSize(tfjs, optimizer, 0)).toBe(0);
    const small = await stepSize(tfjs, optimizer, 1e-4);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThan(0.01);
  });
});
