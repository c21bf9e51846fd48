/** The reference CNN as a tfjs layers model, built from core/model-spec.ts's LAYERS. A function, not a built instance. */
import * as tf from '@tensorflow/tfjs';
import { INPUT_SHAPE, LAYERS, type LayerSpec } from '../core/model-spec.ts';
import type { NamedWeight } from './encode-weights.ts';
import type { OptimizerName } from './options.ts';

/** Keras's default; also what `foldBatchNorm` divides by. */
const BATCH_NORM_EPSILON = 1e-3;
const BATCH_NORM_SUFFIX = '_bn';
const batchNormName = (layer: string) => `${layer}${BATCH_NORM_SUFFIX}`;

/**
 * The tfjs layers for one LayerSpec; the first layer also declares the input shape. A convolution or dense
 * layer named in `batchNorm` becomes linear → batch norm → its activation, which `foldBatchNorm` turns back
 * into the reference layer.
 */
function layersOf(
  spec: LayerSpec,
  first: boolean,
  batchNorm: readonly string[],
  dropout: boolean,
): tf.layers.Layer[] {
  const input = first ? { inputShape: [...INPUT_SHAPE] } : {};
  switch (spec.kind) {
    case 'conv2d':
    case 'dense': {
      const normalised = batchNorm.includes(spec.name);
      const activation = normalised ? 'linear' : spec.activation;
      const layer =
        spec.kind === 'conv2d'
          ? tf.layers.conv2d({
              name: spec.name,
              ...input,
              filters: spec.filters,
              kernelSize: spec.kernelSize,
              padding: 'same',
              activation,
            })
          : tf.layers.dense({ name: spec.name, ...input, units: spec.units, activation });
      if (!normalised) return [layer];
      return [
        layer,
        tf.layers.batchNormalization({ name: batchNormName(spec.name), epsilon: BATCH_NORM_EPSILON }),
        tf.layers.activation({ name: `${spec.name}_${spec.activation}`, activation: spec.activation }),
      ];
    }
    case 'maxPool':
      return [tf.layers.maxPooling2d({ name: spec.name, ...input, poolSize: spec.poolSize })];
    case 'dropout':
      return [tf.layers.dropout({ name: spec.name, ...input, rate: dropout ? spec.rate : 0 })];
    case 'flatten':
      return [tf.layers.flatten({ name: spec.name, ...input })];
  }
}

/**
 * The reference model; with `batchNorm` (layer names) the training variant whose named layers are
 * batch-normalised before their activation (export folds the normalisation away: the reference model is served);
 * with `dropout: false` the training variant whose dropout layers pass everything (export writes the reference
 * topology: dropout is the identity at inference either way).
 */
export function createModel({
  batchNorm = [] as readonly string[],
  dropout = true,
}: {
  batchNorm?: readonly string[];
  dropout?: boolean;
} = {}): tf.LayersModel {
  const model = tf.sequential({ name: 'digit_edge_cnn' });
  LAYERS.forEach((spec, index) => {
    for (const layer of layersOf(spec, index === 0, batchNorm, dropout)) model.add(layer);
  });
  return model;
}

/**
 * The reference model's weights from the batch-normalised variant's: inference-mode batch norm is an affine
 * map per output channel, y = γ (x − μ) / √(σ² + ε) + β, so it folds into the preceding layer's kernel
 * (scaled by γ / √(σ² + ε) along its last axis) and bias. Weights without a batch norm pass unchanged.
 */
export function foldBatchNorm(weights: readonly NamedWeight[]): NamedWeight[] {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const isNorm = (name: string) => (name.split('/')[0] ?? '').endsWith(BATCH_NORM_SUFFIX);
  return weights
    .filter((w) => !isNorm(w.name))
    .map((w) => {
      const [layer = '', part] = w.name.split('/');
      const norm = (key: string) => byName.get(`${batchNormName(layer)}/${key}`)?.values;
      const [gamma, beta, mean, variance] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map(norm);
      if (!gamma || !beta || !mean || !variance) return w;
      const channels = gamma.length;
      const scale = Float32Array.from(
        gamma,
        (g, c) => g / Math.sqrt((variance[c] as number) + BATCH_NORM_EPSILON),
      );
      const values =
        part === 'kernel'
          ? Float32Array.from(w.values, (v, i) => v * (scale[i % channels] as number))
          : Float32Array.from(
              w.values,
              (b, c) => (b - (mean[c] as number)) * (scale[c] as number) + (beta[c] as number),
            );
      return { ...w, values };
    });
}

/** SGD's momentum: the usual 0.9, with Nesterov's look-ahead. */
const SGD_MOMENTUM = 0.9;

export function compileModel(
  model: tf.LayersModel,
  learningRate: number,
  optimizer: OptimizerName = 'adam',
): void {
  model.compile({
    optimizer:
      optimizer === 'sgd' ? tf.train.momentum(learningRate, SGD_MOMENTUM, true) : tf.train.adam(learningRate),
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/**
 * Adam reads its learning rate on every step; SGD keeps it as a tensor that setLearningRate replaces. Either
 * way a schedule can change it between batches.
 */
export function setLearningRate(model: tf.LayersModel, learningRate: number): void {
  // Not `instanceof`: tfjs's optimizers answer it by duck typing, so Adam passes for SGD.
  const optimizer = model.optimizer as unknown as {
    learningRate: number;
    setLearningRate?: (learningRate: number) => void;
  };
  if (optimizer.setLearningRate) optimizer.setLearningRate(learningRate);
  else optimizer.learningRate = learningRate;
}

/**
 * Decoupled weight decay (AdamW; for SGD, plain weight decay): after each step every kernel shrinks by `factor`
 * (the step's learning rate × λ), apart from the gradient, so the decay does not pass through Adam's per-weight
 * scaling the way an L2 term in the loss would. Biases and batch norm's parameters are left alone.
 */
export function decayKernels(model: tf.LayersModel, factor: number): void {
  tf.tidy(() => {
    for (const variable of model.trainableWeights) {
      if (!variable.originalName.endsWith('/kernel')) continue;
      variable.write(tf.mul(variable.read(), 1 - factor));
    }
  });
}
