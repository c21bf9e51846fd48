import type * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASS_COUNT, PIXEL_COUNT } from '../../core/model-spec.ts';
import { useWasmForTraining } from '../../training/backend.ts';
import type { Batch } from '../../training/batches.ts';
import { compileModel, createModel } from '../../training/model.ts';
import { DataParallelTrainer, partGradients, partSizes, seedPart } from '../../training/parallel.ts';
import { createRandom } from '../../training/random.ts';

describe('partSizes', () => {
  it('splits a batch into near-equal parts that add up to it', () => {
    expect(partSizes(128, 2)).toEqual([64, 64]);
    expect(partSizes(89, 2)).toEqual([45, 44]);
    expect(partSizes(10, 3)).toEqual([4, 3, 3]);
  });
});

/** A batch of random pixels and random one-hot labels. */
function randomBatch(size: number, seed: number): Batch {
  const random = createRandom(seed);
  const labels = Uint8Array.from({ length: size }, () => Math.floor(random() * CLASS_COUNT));
  const oneHot = new Float32Array(size * CLASS_COUNT);
  labels.forEach((label, i) => {
    oneHot[i * CLASS_COUNT + label] = 1;
  });
  return { pixels: Float32Array.from({ length: size * PIXEL_COUNT }, random), oneHot, labels, size };
}

describe('data-parallel training (npm run train -- --threads 2)', () => {
  let tfjs: typeof tf;
  let parallel: DataParallelTrainer;
  let trained: tf.LayersModel;
  let reference: tf.LayersModel;

  beforeAll(async () => {
    tfjs = await useWasmForTraining();
    trained = createModel();
    compileModel(trained, 1e-3);
    reference = createModel();
    compileModel(reference, 1e-3);
    reference.setWeights(trained.getWeights());
    parallel = await DataParallelTrainer.start(tfjs, trained, 2);
  }, 120_000);

  afterAll(async () => {
    await parallel.close();
  });

  it('takes the step one thread would take on the same parts: the size-weighted mean of their gradients', async () => {
    // Two steps, so the second one's worker must have received the weights the first step produced.
    for (const [step, size] of [
      [11, 40],
      [12, 37],
    ] as const) {
      const batch = randomBatch(size, step);
      const { loss } = await parallel.step(batch, step);
      expect(loss).toBeGreaterThan(0);
      // The same on this thread alone: each part with its own dropout seed, then one Adam step.
      const sizes = partSizes(size, 2);
      let from = 0;
      const parts = sizes.map((count, part) => {
        seedPart(step, part);
        const result = partGradients(
          tfjs,
          reference,
          batch.pixels.slice(from * PIXEL_COUNT, (from + count) * PIXEL_COUNT),
          batch.oneHot.slice(from * CLASS_COUNT, (from + count) * CLASS_COUNT),
          count,
        );
        from += count;
        return result.gradients.map((gradient) => tfjs.mul(gradient, count / size));
      });
      const variables = reference.trainableWeights.map((weight) => weight.read() as tf.Variable);
      reference.optimizer.applyGradients(
        variables.map((variable, v) => ({
          name: variable.name,
          tensor: tfjs.add(parts[0]?.[v] as tf.Tensor, parts[1]?.[v] as tf.Tensor),
        })),
      );
    }
    const expected = reference.getWeights().map((w) => w.dataSync());
    const actual = trained.getWeights().map((w) => w.dataSync());
    let worst = 0;
    let compared = 0;
    actual.forEach((values, w) => {
      values.forEach((value, i) => {
        worst = Math.max(worst, Math.abs(value - ((expected[w] as typeof values)[i] as number)));
      });
      compared += values.length;
    });
    expect(compared).toBe(221_226);
    expect(worst).toBeLessThan(1e-6);
  }, 120_000);
});
