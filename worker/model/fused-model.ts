/**
 * The reference CNN run as raw fused tfjs ops on weights decoded from the export (no layers API on the hot
 * path): the weight tensors are made once per loaded model, each request creates only its input tensor.
 */

import * as tf from '@tensorflow/tfjs-core';
import { IMAGE_SIZE, type WeightName } from '../../core/model-spec.ts';

type WeightTensors = Record<WeightName, tf.Tensor>;

export interface ModelOutputs {
  /** count × 10 logits (before softmax). */
  readonly logits: Float32Array;
  /** count × 128 activations of the penultimate dense layer (after ReLU). */
  readonly hidden: Float32Array;
}

export interface FusedModel {
  /** Probabilities for `count` images held back to back in `pixels` (count × 784 values). */
  predict(pixels: Float32Array, count: number): Float32Array;
  /** Logits and penultimate activations for the same input (what calibration and `isDigit` need). */
  outputs(pixels: Float32Array, count: number): ModelOutputs;
  dispose(): void;
  readonly disposed: boolean;
}

/** Builds the model's tensors from decoded weights (already checked against WEIGHT_SPECS). */
export function createFusedModel(
  weights: ReadonlyMap<string, { values: Float32Array; shape: readonly number[] }>,
): FusedModel {
  const tensors = {} as WeightTensors;
  for (const [name, { values, shape }] of weights) {
    tensors[name as WeightName] = tf.keep(tf.tensor(values, [...shape], 'float32'));
  }
  let disposed = false;
  /** The network up to its logits; call inside tf.tidy. */
  function forward(pixels: Float32Array, count: number) {
    if (disposed) throw new Error('model already disposed');
    const input = tf.tensor4d(pixels, [count, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const conv1 = tf.fused.conv2d({
      x: input,
      filter: tensors['conv1/kernel'] as tf.Tensor4D,
      bias: tensors['conv1/bias'],
      strides: 1,
      pad: 'same',
      activation: 'relu',
    });
    const pool1 = tf.maxPool(conv1, 2, 2, 'valid');
    const conv2 = tf.fused.conv2d({
      x: pool1,
      filter: tensors['conv2/kernel'] as tf.Tensor4D,
      bias: tensors['conv2/bias'],
      strides: 1,
      pad: 'same',
      activation: 'relu',
    });
    const pool2 = tf.maxPool(conv2, 2, 2, 'valid');
    const flat = tf.reshape(pool2, [count, (IMAGE_SIZE / 4) * (IMAGE_SIZE / 4) * 32]);
    const hidden = tf.fused.matMul({
      a: flat as tf.Tensor2D,
      b: tensors['dense1/kernel'] as tf.Tensor2D,
      bias: tensors['dense1/bias'],
      activation: 'relu',
    });
    const logits = tf.fused.matMul({
      a: hidden,
      b: tensors['dense2/kernel'] as tf.Tensor2D,
      bias: tensors['dense2/bias'],
    });
    return { hidden, logits };
  }
  function outputs(pixels: Float32Array, count: number): ModelOutputs {
    return tf.tidy(() => {
      const { hidden, logits } = forward(pixels, count);
      return { logits: logits.dataSync() as Float32Array, hidden: hidden.dataSync() as Float32Array };
    });
  }
  return {
    get disposed() {
      return disposed;
    },
    outputs,
    predict(pixels, count) {
      return tf.tidy(() => tf.softmax(forward(pixels, count).logits).dataSync() as Float32Array);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const tensor of Object.values(tensors)) tensor.dispose();
    },
  };
}
