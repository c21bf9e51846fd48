/**
 * The reference CNN (core/model-spec.ts's LAYERS) run as raw fused tfjs ops on weights decoded from the
 * export (no layers API on the hot path): the weight tensors are made once per loaded model, each request
 * creates only its input tensor.
 */

import * as tf from '@tensorflow/tfjs-core';
import { INPUT_SHAPE, LAYERS, type LayerSpec, type WeightName } from '../../core/model-spec.ts';

type WeightTensors = Record<WeightName, tf.Tensor>;

const weight = (tensors: WeightTensors, name: string): tf.Tensor => {
  const tensor = tensors[name];
  if (tensor === undefined) throw new Error(`weight ${name} is missing`);
  return tensor;
};

/**
 * One layer at inference: convolutions and dense layers as fused ops (bias and ReLU in the same kernel),
 * dropout as nothing, softmax after the dense layer that names it.
 */
function apply(layer: LayerSpec, x: tf.Tensor, tensors: WeightTensors): tf.Tensor {
  switch (layer.kind) {
    case 'conv2d':
      return tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: weight(tensors, `${layer.name}/kernel`) as tf.Tensor4D,
        bias: weight(tensors, `${layer.name}/bias`),
        strides: 1,
        pad: 'same',
        activation: layer.activation === 'relu' ? 'relu' : 'linear',
      });
    case 'maxPool':
      return tf.maxPool(x as tf.Tensor4D, layer.poolSize, layer.poolSize, 'valid');
    case 'dropout':
      return x;
    case 'flatten':
      return tf.reshape(x, [x.shape[0] ?? 1, -1]);
    case 'dense': {
      const product = tf.fused.matMul({
        a: x as tf.Tensor2D,
        b: weight(tensors, `${layer.name}/kernel`) as tf.Tensor2D,
        bias: weight(tensors, `${layer.name}/bias`),
        activation: layer.activation === 'relu' ? 'relu' : 'linear',
      });
      return layer.activation === 'softmax' ? tf.softmax(product) : product;
    }
  }
}

export interface FusedModel {
  /** Probabilities for `count` images held back to back in `pixels` (count × 784 values). */
  predict(pixels: Float32Array, count: number): Float32Array;
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
  return {
    get disposed() {
      return disposed;
    },
    predict(pixels, count) {
      if (disposed) throw new Error('model already disposed');
      return tf.tidy(() => {
        let x: tf.Tensor = tf.tensor(pixels, [count, ...INPUT_SHAPE]);
        for (const layer of LAYERS) x = apply(layer, x, tensors);
        return x.dataSync() as Float32Array;
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const tensor of Object.values(tensors)) tensor.dispose();
    },
  };
}
