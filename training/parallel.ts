/**
 * `npm run train -- --threads 2`: data-parallel training. Each batch is split into equal parts; this thread
 * computes the gradient of the first part and worker threads (training/parallel-worker.ts), each with a replica
 * of the model on its own wasm backend, compute the others' at the same time. The gradients are averaged,
 * weighted by the parts' sizes (so the step is the full batch's mean gradient), and Adam applies them here.
 * The weights go to the workers through shared memory before every step.
 *
 * Reproducible: the batch is built here as before, each part's dropout masks come from a per-step seed, and
 * the gradients are summed in a fixed order. Not byte-identical to `--threads 1`, whose dropout masks are
 * drawn in one stream and whose sums run in another order.
 */
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { CLASS_COUNT, IMAGE_SIZE, PIXEL_COUNT } from '../core/model-spec.ts';
import type { Batch } from './batches.ts';
import { createRandom } from './random.ts';

/** What one part of a batch gave: its gradients (in trainable-weight order), mean loss and correct count. */
interface PartResult<G> {
  readonly gradients: G;
  readonly loss: number;
  readonly correct: number;
}

/**
 * The gradient of the mean categorical cross-entropy over `size` digits, with dropout on (training mode),
 * and the part's loss and number of right answers: the same loss and accuracy as tfjs's `trainOnBatch`.
 * Shared by this thread and the workers.
 */
export function partGradients(
  tfjs: typeof tf,
  model: tf.LayersModel,
  pixels: Float32Array,
  targets: Float32Array,
  size: number,
): PartResult<tf.Tensor[]> {
  const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
  let correct = 0;
  const { value, grads } = tfjs.variableGrads(() => {
    const xs = tfjs.tensor4d(pixels, [size, IMAGE_SIZE, IMAGE_SIZE, 1]);
    const ys = tfjs.tensor2d(targets, [size, CLASS_COUNT]);
    const probabilities = model.apply(xs, { training: true }) as tf.Tensor;
    correct = tfjs
      .sum(tfjs.cast(tfjs.equal(tfjs.argMax(probabilities, -1), tfjs.argMax(ys, -1)), 'float32'))
      .dataSync()[0] as number;
    return tfjs.mean(tfjs.metrics.categoricalCrossentropy(ys, probabilities)) as tf.Scalar;
  }, variables);
  const loss = value.dataSync()[0] as number;
  value.dispose();
  return { gradients: variables.map((variable) => grads[variable.name] as tf.Tensor), loss, correct };
}

/** Seeds Math.random (tfjs's dropout draws from it) for one part of one step. */
export function seedPart(stepSeed: number, part: number): void {
  Math.random = createRandom((stepSeed * 31 + part * 7919) >>> 0);
}

/** Messages between this thread and a worker. */
export type ToWorker =
  | {
      readonly kind: 'init';
      readonly shapes: number[][];
      readonly weights: SharedArrayBuffer;
      readonly gradients: SharedArrayBuffer;
    }
  | {
      readonly kind: 'step';
      readonly pixels: Float32Array;
      readonly targets: Float32Array;
      readonly size: number;
      readonly stepSeed: number;
      readonly part: number;
    };
export type FromWorker =
  | { readonly kind: 'ready' }
  | { readonly kind: 'done'; readonly loss: number; readonly correct: number }
  | { readonly kind: 'failed'; readonly message: string };

/** Sizes of `parts` near-equal contiguous parts of `size` digits (larger ones first). */
export function partSizes(size: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(size / parts) + (i < size % parts ? 1 : 0));
}

export class DataParallelTrainer {
  // Plain fields, not parameter properties: the worker thread may load this file with Node's type stripping.
  private readonly tfjs: typeof tf;
  private readonly model: tf.LayersModel;
  private readonly workers: readonly Worker[];
  private readonly weights: Float32Array;
  private readonly gradients: readonly Float32Array[];
  private readonly shapes: readonly number[][];

  private constructor(
    tfjs: typeof tf,
    model: tf.LayersModel,
    workers: readonly Worker[],
    weights: Float32Array,
    gradients: readonly Float32Array[],
    shapes: readonly number[][],
  ) {
    this.tfjs = tfjs;
    this.model = model;
    this.workers = workers;
    this.weights = weights;
    this.gradients = gradients;
    this.shapes = shapes;
  }

  /** Starts `threads − 1` workers, each with a replica of `model` (which must have no batch norm). */
  static async start(tfjs: typeof tf, model: tf.LayersModel, threads: number): Promise<DataParallelTrainer> {
    if (model.trainableWeights.length !== model.weights.length)
      throw new Error('data-parallel training needs a model without non-trainable weights (no batch norm)');
    const shapes = model.trainableWeights.map((weight) => [...weight.shape] as number[]);
    const total = shapes.reduce((sum, shape) => sum + shape.reduce((a, b) => a * b, 1), 0);
    const bytes = total * Float32Array.BYTES_PER_ELEMENT;
    const weights = new SharedArrayBuffer(bytes);
    const workers: Worker[] = [];
    const gradients: Float32Array[] = [];
    for (let i = 1; i < threads; i++) {
      const worker = new Worker(new URL('./parallel-worker.ts', import.meta.url));
      const buffer = new SharedArrayBuffer(bytes);
      workers.push(worker);
      gradients.push(new Float32Array(buffer));
      await reply(worker, { kind: 'init', shapes, weights, gradients: buffer });
    }
    return new DataParallelTrainer(tfjs, model, workers, new Float32Array(weights), gradients, shapes);
  }

  /** One optimiser step on `batch`; `stepSeed` seeds every part's dropout. Returns its loss and accuracy. */
  async step(batch: Batch, stepSeed: number): Promise<{ loss: number; accuracy: number }> {
    const { tfjs, model } = this;
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    let offset = 0;
    for (const variable of variables) {
      const values = variable.dataSync() as Float32Array;
      this.weights.set(values, offset);
      offset += values.length;
    }
    const sizes = partSizes(batch.size, this.workers.length + 1);
    const starts = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
    const slice = (i: number) => {
      const from = starts[i] as number;
      const to = from + (sizes[i] as number);
      return {
        pixels: batch.pixels.slice(from * PIXEL_COUNT, to * PIXEL_COUNT),
        targets: batch.oneHot.slice(from * CLASS_COUNT, to * CLASS_COUNT),
      };
    };
    const pending = this.workers.map((worker, w) => {
      const { pixels, targets } = slice(w + 1);
      return reply(worker, {
        kind: 'step',
        pixels,
        targets,
        size: sizes[w + 1] as number,
        stepSeed,
        part: w + 1,
      });
    });
    const own = slice(0);
    seedPart(stepSeed, 0);
    const mine = partGradients(tfjs, model, own.pixels, own.targets, sizes[0] as number);
    const theirs = await Promise.all(pending);
    const shares = sizes.map((size) => size / batch.size);
    const averaged = tfjs.tidy(() => {
      let at = 0;
      return mine.gradients.map((gradient, v) => {
        const shape = this.shapes[v] as number[];
        const length = gradient.size;
        let sum = tfjs.mul(gradient, shares[0] as number);
        this.gradients.forEach((buffer, w) => {
          const part = tfjs.tensor(buffer.subarray(at, at + length), shape);
          sum = tfjs.add(sum, tfjs.mul(part, shares[w + 1] as number));
        });
        at += length;
        return sum;
      });
    });
    tfjs.dispose(mine.gradients);
    model.optimizer.applyGradients(
      variables.map((variable, v) => ({ name: variable.name, tensor: averaged[v] as tf.Tensor })),
    );
    tfjs.dispose(averaged);
    let loss = mine.loss * (shares[0] as number);
    let correct = mine.correct;
    theirs.forEach((result, w) => {
      loss += result.loss * (shares[w + 1] as number);
      correct += result.correct;
    });
    return { loss, accuracy: correct / batch.size };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/** Sends one message and waits for the worker's answer; a worker's failure becomes this thread's error. */
function reply(worker: Worker, message: ToWorker): Promise<{ loss: number; correct: number }> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (answer: FromWorker) => {
      worker.off('error', onError);
      if (answer.kind === 'failed') reject(new Error(`training worker: ${answer.message}`));
      else resolve(answer.kind === 'done' ? answer : { loss: 0, correct: 0 });
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    const transfer = message.kind === 'step' ? [message.pixels.buffer, message.targets.buffer] : [];
    worker.postMessage(message, transfer as ArrayBuffer[]);
  });
}
