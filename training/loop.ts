/** One epoch of training and the evaluation passes, over plain typed-array batches. */
import type * as tf from '@tensorflow/tfjs';
import { CLASS_COUNT, IMAGE_SIZE } from '../core/model-spec.ts';
import type { AugmentOptions } from './augment.ts';
import { type Batch, makeBatch, type Teacher } from './batches.ts';
import type { Subset } from './mnist.ts';
import { epochProgress } from './progress.ts';
import { type Random, shuffleInPlace } from './random.ts';
import { fitTemperature, negativeLogLikelihood } from './signals.ts';

export interface EpochResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly batches: number;
}

export async function trainEpoch(
  tfjs: typeof tf,
  model: tf.LayersModel,
  data: Subset,
  options: {
    batchSize: number;
    random: Random;
    augment: AugmentOptions | undefined;
    /** Share of examples made two touching digits with an even target (needs `augment`). */
    mergeShare?: number;
    /** Share of examples cropped from a touching pair, as the number reader cuts them (needs `augment`). */
    neighbourShare?: number;
    /** α of mixup's Beta(α, α) (needs `augment`); undefined or 0 = none. */
    mixupAlpha?: number;
    labelSmoothing: number;
    teacher?: Teacher | undefined;
    epoch: number;
    epochs: number;
    /** Called before each batch with its index in the epoch (a per-step learning-rate schedule). */
    beforeBatch?: (batch: number, batches: number) => void;
    /** Called after each optimiser step (the weight average). */
    afterBatch?: () => void;
    /** Takes the optimiser step instead of `trainOnBatch` (data-parallel training, training/parallel.ts). */
    step?: (batch: Batch, index: number) => Promise<{ loss: number; accuracy: number }>;
  },
): Promise<EpochResult> {
  const order = shuffleInPlace(
    Uint32Array.from({ length: data.indices.length }, (_, i) => i),
    options.random,
  );
  const batches = Math.ceil(order.length / options.batchSize);
  const progress = epochProgress(options.epoch, options.epochs, batches);
  let lossSum = 0;
  let accuracySum = 0;
  let seen = 0;
  for (let b = 0; b < batches; b++) {
    const batch = makeBatch(
      data,
      order,
      b * options.batchSize,
      options.batchSize,
      options.augment
        ? {
            random: options.random,
            options: options.augment,
            mergeShare: options.mergeShare,
            neighbourShare: options.neighbourShare,
            mixupAlpha: options.mixupAlpha,
          }
        : undefined,
      options.labelSmoothing,
      options.teacher,
    );
    options.beforeBatch?.(b, batches);
    const { loss, accuracy } = options.step
      ? await options.step(batch, b)
      : await trainOnBatch(tfjs, model, batch);
    options.afterBatch?.();
    lossSum += loss * batch.size;
    accuracySum += accuracy * batch.size;
    seen += batch.size;
    progress.update(b + 1, lossSum / seen, accuracySum / seen);
  }
  progress.stop();
  return { loss: lossSum / seen, accuracy: accuracySum / seen, batches };
}

async function trainOnBatch(tfjs: typeof tf, model: tf.LayersModel, batch: Batch) {
  const xs = tfjs.tensor4d(batch.pixels, [batch.size, IMAGE_SIZE, IMAGE_SIZE, 1]);
  const ys = tfjs.tensor2d(batch.oneHot, [batch.size, CLASS_COUNT]);
  const [loss, accuracy] = (await model.trainOnBatch(xs, ys)) as number[];
  tfjs.dispose([xs, ys]);
  return { loss: loss as number, accuracy: accuracy as number };
}

/** Class probabilities for every digit of a subset (inference mode: dropout off). */
export async function predictAll(tfjs: typeof tf, model: tf.LayersModel, data: Subset, batchSize = 1000) {
  const order = Uint32Array.from({ length: data.indices.length }, (_, i) => i);
  const probabilities = new Float32Array(order.length * CLASS_COUNT);
  const labels = new Uint8Array(order.length);
  for (let from = 0; from < order.length; from += batchSize) {
    const batch = makeBatch(data, order, from, batchSize);
    const output = tfjs.tidy(() =>
      model.predict(tfjs.tensor4d(batch.pixels, [batch.size, IMAGE_SIZE, IMAGE_SIZE, 1])),
    ) as tf.Tensor;
    probabilities.set(await output.data(), from * CLASS_COUNT);
    output.dispose();
    labels.set(batch.labels, from);
  }
  return { probabilities, labels };
}

/** Mean cross-entropy, accuracy and calibrated cross-entropy (see calibratedLoss) of predictions. */
export function lossAndAccuracy(probabilities: Float32Array, labels: Uint8Array) {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probabilities.subarray(i * CLASS_COUNT, (i + 1) * CLASS_COUNT);
    const label = labels[i] as number;
    loss -= Math.log(Math.max(row[label] as number, 1e-7));
    let best = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if ((row[c] as number) > (row[best] as number)) best = c;
    if (best === label) correct++;
  }
  return {
    loss: loss / labels.length,
    accuracy: correct / labels.length,
    calibratedLoss: calibratedLoss(probabilities, labels),
  };
}

/**
 * Validation NLL after temperature scaling (softmax(log p / T) = softmax(logits / T)): the selection
 * criterion. The raw NLL would favour early epochs under label smoothing, whose targets cap confidence.
 */
function calibratedLoss(probabilities: Float32Array, labels: Uint8Array): number {
  const logits = Float32Array.from(probabilities, (p) => Math.log(Math.max(p, 1e-30)));
  return negativeLogLikelihood(logits, labels, fitTemperature(logits, labels));
}
