/**
 * The architecture is described once (core/model-spec.ts); the layers model is built from it. These checks
 * fail on any drift between the description, the tfjs model and the table shown on /model.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE, INPUT_SHAPE, PARAMETER_COUNT, WEIGHT_SPECS } from '../../core/model-spec.ts';
import type { NamedWeight } from '../../training/encode-weights.ts';
import { createModel, decayKernels, foldBatchNorm } from '../../training/model.ts';
import { createRandom } from '../../training/random.ts';

describe('the architecture description', () => {
  let model: tf.LayersModel;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = createModel();
  });

  it('gives the tfjs model its layers: names, output shapes and parameters row by row', () => {
    const rows = ARCHITECTURE.slice(1);
    expect(model.layers.map((layer) => layer.name)).toEqual(rows.map((row) => row.name));
    for (const [index, layer] of model.layers.entries()) {
      expect([layer.getClassName(), layer.outputShape.slice(1), layer.countParams()]).toEqual([
        rows[index]?.type,
        rows[index]?.outputShape,
        rows[index]?.parameters,
      ]);
    }
    expect(model.inputs[0]?.shape.slice(1)).toEqual(INPUT_SHAPE);
  });

  it('derives the weights tfjs saves, in its order, and their total', () => {
    expect(model.weights.map((w) => ({ name: w.originalName, shape: w.shape }))).toEqual(
      WEIGHT_SPECS.map((spec) => ({ name: spec.name, shape: spec.shape })),
    );
    expect(model.countParams()).toBe(PARAMETER_COUNT);
    expect(ARCHITECTURE.reduce((total, row) => total + row.parameters, 0)).toBe(PARAMETER_COUNT);
  });
});

describe('batch-normalised training (npm run train -- --batch-norm conv1,conv2,dense1)', () => {
  it('folds into the reference model: same weights, same predictions', () => {
    const trained = createModel({ batchNorm: ['conv1', 'conv2', 'dense1'] });
    // Normalisation far from the identity, so a fold that ignored any of its four parts would show.
    const random = createRandom(3);
    const weights: NamedWeight[] = trained.weights.map((variable) => {
      const name = variable.originalName;
      const size = variable.shape.reduce((a, b) => (a as number) * (b as number), 1) as number;
      const draw = (low: number, high: number) =>
        Float32Array.from({ length: size }, () => low + (high - low) * random());
      const values = name.endsWith('gamma')
        ? draw(0.5, 2)
        : name.endsWith('moving_variance')
          ? draw(0.2, 3)
          : name.endsWith('beta') || name.endsWith('moving_mean') || name.endsWith('bias')
            ? draw(-0.5, 0.5)
            : Float32Array.from(variable.read().dataSync());
      return { name, shape: variable.shape as number[], values };
    });
    trained.setWeights(weights.map((w) => tf.tensor(w.values, [...w.shape])));
    const folded = foldBatchNorm(weights);
    expect(folded.map((w) => ({ name: w.name, shape: w.shape }))).toEqual(
      WEIGHT_SPECS.map((spec) => ({ name: spec.name, shape: spec.shape })),
    );
    const reference = createModel();
    reference.setWeights(folded.map((w) => tf.tensor(w.values, [...w.shape])));
    const input = tf.randomUniform([8, ...INPUT_SHAPE], 0, 1, 'float32', 5);
    const expected = (trained.predict(input) as tf.Tensor).arraySync() as number[][];
    const actual = (reference.predict(input) as tf.Tensor).arraySync() as number[][];
    expect(
      Math.max(...expected.flat().map((p, i) => Math.abs(p - (actual.flat()[i] as number)))),
    ).toBeLessThan(1e-5);
    // And the normalisation mattered: the unfolded weights give other answers.
    reference.setWeights(
      weights.filter((w) => !w.name.includes('_bn/')).map((w) => tf.tensor(w.values, [...w.shape])),
    );
    const unfolded = (reference.predict(input) as tf.Tensor).arraySync() as number[][];
    expect(
      Math.max(...expected.flat().map((p, i) => Math.abs(p - (unfolded.flat()[i] as number)))),
    ).toBeGreaterThan(0.01);
  });
});

describe('training without dropout (npm run train -- --no-dropout)', () => {
  it('passes everything through the dropout layers while training, with the reference weights', () => {
    const input = tf.randomUniform([4, ...INPUT_SHAPE], 0, 1, 'float32', 3);
    const outputs = (model: tf.LayersModel) =>
      [1, 2].map(() => (model.apply(input, { training: true }) as tf.Tensor).arraySync() as number[][]);
    const plain = createModel({ dropout: false });
    const reference = createModel();
    expect(plain.weights.map((w) => w.shape)).toEqual(reference.weights.map((w) => w.shape));
    reference.setWeights(plain.getWeights());
    // Training mode: the same answer twice without dropout, two different ones with it.
    const [first, second] = outputs(plain);
    expect(second).toEqual(first);
    const [a, b] = outputs(reference);
    expect(b).not.toEqual(a);
    // At inference the two agree: the export writes the reference topology.
    expect((reference.predict(input) as tf.Tensor).arraySync()).toEqual(first);
  });
});

describe('decoupled weight decay (npm run train -- --weight-decay X)', () => {
  it('shrinks every kernel by the factor and leaves biases and batch norm alone', () => {
    const model = createModel({ batchNorm: ['dense1'] });
    const before = new Map(model.weights.map((v) => [v.originalName, v.read().dataSync().slice()]));
    // Non-zero biases, so that a decay that touched them would show.
    for (const variable of model.weights)
      if (variable.originalName.endsWith('/bias')) variable.write(tf.onesLike(variable.read()));
    decayKernels(model, 0.1);
    for (const variable of model.weights) {
      const name = variable.originalName;
      const now = variable.read().dataSync();
      const was = before.get(name) as Float32Array;
      if (name.endsWith('/kernel')) {
        expect(now.length).toBe(was.length);
        let worst = 0;
        now.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - 0.9 * (was[i] as number)));
        });
        expect(worst).toBeLessThan(1e-6);
      } else if (name.endsWith('/bias')) {
        expect(Array.from(now).every((v) => v === 1)).toBe(true);
      } else {
        expect(Array.from(now)).toEqual(Array.from(was));
      }
    }
  });
});
