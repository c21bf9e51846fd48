/** The reference CNN as a tfjs layers model, built from core/model-spec.ts's LAYERS. A function, not a built instance. */
import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, LAYERS, type LayerSpec } from '../core/model-spec.ts';

/** The tfjs layer for one LayerSpec; the first layer also declares the input shape. */
function layerOf(spec: LayerSpec, first: boolean): tf.layers.Layer {
  const input = first ? { inputShape: [...INPUT_SHAPE] } : {};
  switch (spec.kind) {
    case 'conv2d':
      return tf.layers.conv2d({
        name: spec.name,
        ...input,
        filters: spec.filters,
        kernelSize: spec.kernelSize,
        padding: 'same',
        activation: spec.activation,
      });
    case 'maxPool':
      return tf.layers.maxPooling2d({ name: spec.name, ...input, poolSize: spec.poolSize });
    case 'dropout':
      return tf.layers.dropout({ name: spec.name, ...input, rate: spec.rate });
    case 'flatten':
      return tf.layers.flatten({ name: spec.name, ...input });
    case 'dense':
      return tf.layers.dense({ name: spec.name, ...input, units: spec.units, activation: spec.activation });
  }
}

export function createModel(): tf.LayersModel {
  const model = tf.sequential({ name: 'digit_edge_cnn' });
  LAYERS.forEach((spec, index) => {
    model.add(layerOf(spec, index === 0));
  });
  return model;
}

export function compileModel(model: tf.LayersModel, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/** Adam reads its learning rate on every step, so a schedule can change it between batches. */
export function setLearningRate(model: tf.LayersModel, learningRate: number): void {
  (model.optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
