/**
 * The architecture is described once (core/model-spec.ts); the layers model is built from it. These checks
 * fail on any drift between the description, the tfjs model and the table shown on /model.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARCHITECTURE, INPUT_SHAPE, PARAMETER_COUNT, WEIGHT_SPECS } from '../../core/model-spec.ts';
import { createModel } from '../../training/model.ts';

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
