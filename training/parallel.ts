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
      /** false: the replica trains with its dropout layers passing everything (--no-dropout). */
      readonly dropout: boolean;
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

/** Copies tensors' values one after another into `target` (weights or gradients in shared memory). */
export function packTensors(tensors: readonly tf.Tensor[], target: Float32Array): void {
  let offset = 0;
  for (const tensor of tensors) {
    const values = tensor.dataSync() as Float32Array;
    target.set(values, offset);
    offset += values.length;
  }
}

/** The inverse of packTensors: tensors of `shapes` made from `source`'s values in turn. */
export function unpackTensors(
  tfjs: typeof tf,
  source: Float32Array,
  shapes: readonly number[][],
): tf.Tensor[] {
  let offset = 0;
  return shapes.map((shape) => {
    const length = shape.reduce((a, b) => a * b, 1);
    const tensor = tfjs.tensor(source.subarray(offset, offset + length), shape);
    offset += length;
    return tensor;
  });
}

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
  static async start(
    tfjs: typeof tf,
    model: tf.LayersModel,
    threads: number,
    { dropout = true } = {},
  ): Promise<DataParallelTrainer> {
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
      await reply(worker, { kind: 'init', shapes, dropout, weights, gradients: buffer });
    }
    return new DataParallelTrainer(tfjs, model, workers, new Float32Array(weights), gradients, shapes);
  }

  /** One optimiser step on `batch`; `stepSeed` seeds every part's dropout. Returns its loss and accuracy. */
  async step(batch: Batch, stepSeed: number): Promise<{ loss: number; accuracy: number }> {
    const { tfjs, model } = this;
    const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
    packTensors(variables, this.weights);
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
      const parts = [
        mine.gradients,
        ...this.gradients.map((buffer) => unpackTensors(tfjs, buffer, this.shapes)),
      ];
      return mine.gradients.map((_, v) =>
        tfjs.addN(parts.map((part, p) => tfjs.mul(part[v] as tf.Tensor, shares[p] as number))),
      );
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

type WorkerAnswer = Exclude<FromWorker, { kind: 'failed' }>;

/** Sends one message and waits for the worker's answer; a worker's failure becomes this thread's error. */
function reply(worker: Worker, message: ToWorker & { kind: 'init' }): Promise<WorkerAnswer>;
function reply(
  worker: Worker,
  message: ToWorker & { kind: 'step' },
): Promise<WorkerAnswer & { kind: 'done' }>;
function reply(worker: Worker, message: ToWorker): Promise<WorkerAnswer> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (answer: FromWorker) => {
      worker.off('error', onError);
      if (answer.kind === 'failed') reject(new Error(`training worker: ${answer.message}`));
      else resolve(answer);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
    const transfer = message.kind === 'step' ? [message.pixels.buffer, message.targets.buffer] : [];
    worker.postMessage(message, transfer as ArrayBuffer[]);
  });
}
