/**
 * The reference CNN (core/model-spec.ts's LAYERS) run as raw fused tfjs ops on weights decoded from the
 * export (no layers API on the hot path): the weight tensors are made once per loaded model, each request
 * creates only its input tensor.
 */

import * as tf from '@tensorflow/tfjs-core';
import { INPUT_SHAPE, LAYERS, type LayerSpec, type WeightName } from '../../core/model-spec.ts';

type WeightTensors = Record<WeightName, tf.Tensor>;

/** The softmax layer: its input is the penultimate activations that `isDigit` reads. */
const LAST_LAYER = LAYERS[LAYERS.length - 1];

const weight = (tensors: WeightTensors, name: string): tf.Tensor => {
  const tensor = tensors[name];
  if (tensor === undefined) throw new Error(`weight ${name} is missing`);
  return tensor;
};

/**
 * One layer at inference: convolutions and dense layers as fused ops (bias and ReLU in the same kernel),
 * dropout as nothing. The softmax of the last layer is left out: `forward` returns logits.
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
      return tf.fused.matMul({
        a: x as tf.Tensor2D,
        b: weight(tensors, `${layer.name}/kernel`) as tf.Tensor2D,
        bias: weight(tensors, `${layer.name}/bias`),
        activation: layer.activation === 'relu' ? 'relu' : 'linear',
      });
    }
  }
}

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
  /** The network up to its logits, keeping the input of the last (dense) layer; call inside tf.tidy. */
  function forward(pixels: Float32Array, count: number): { hidden: tf.Tensor; logits: tf.Tensor } {
    if (disposed) throw new Error('model already disposed');
    let x: tf.Tensor = tf.tensor(pixels, [count, ...INPUT_SHAPE]);
    let hidden = x;
    for (const layer of LAYERS) {
      if (layer === LAST_LAYER) hidden = x;
      x = apply(layer, x, tensors);
    }
    return { hidden, logits: x };
  }
  function outputs(pixels: Float32Array, count: number): ModelOutputs {
    // tidy returns the two tensors, not their data: it walks what it returns, element by element.
    const [hidden, logits] = tf.tidy(() => {
      const result = forward(pixels, count);
      return [result.hidden, result.logits];
    });
    try {
      return { logits: logits.dataSync() as Float32Array, hidden: hidden.dataSync() as Float32Array };
    } finally {
      tf.dispose([hidden, logits]);
    }
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
