/** The reference CNN as a tfjs layers model (see core/model-spec.ts). A function, not a built instance. */
import * as tf from '@tensorflow/tfjs';
import { CLASS_COUNT, IMAGE_SIZE } from '../core/model-spec.ts';

export function createModel(): tf.LayersModel {
  const model = tf.sequential({ name: 'digit_edge_cnn' });
  model.add(
    tf.layers.conv2d({
      name: 'conv1',
      inputShape: [IMAGE_SIZE, IMAGE_SIZE, 1],
      filters: 64,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
    }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool1', poolSize: 2 }));
  model.add(tf.layers.dropout({ name: 'drop1', rate: 0.3 }));
  model.add(
    tf.layers.conv2d({ name: 'conv2', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' }),
  );
  model.add(tf.layers.maxPooling2d({ name: 'pool2', poolSize: 2 }));
  model.add(tf.layers.dropout({ name: 'drop2', rate: 0.3 }));
  model.add(tf.layers.flatten({ name: 'flatten' }));
  model.add(tf.layers.dense({ name: 'dense1', units: 128, activation: 'relu' }));
  model.add(tf.layers.dropout({ name: 'drop3', rate: 0.5 }));
  model.add(tf.layers.dense({ name: 'dense2', units: CLASS_COUNT, activation: 'softmax' }));
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
