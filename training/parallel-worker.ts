/**
 * A worker thread of data-parallel training (training/parallel.ts): a replica of the model on its own wasm
 * backend. Before each part it takes the current weights from shared memory; it writes the part's gradients
 * back to its own shared buffer and answers with the part's loss and right answers.
 */
import { parentPort } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { useWasmForTraining } from './backend.ts';
import { createModel } from './model.ts';
import {
  type FromWorker,
  packTensors,
  partGradients,
  seedPart,
  type ToWorker,
  unpackTensors,
} from './parallel.ts';

const port = parentPort;
if (!port) throw new Error('training/parallel-worker.ts runs as a worker thread');

let state:
  | {
      tfjs: typeof tf;
      model: tf.LayersModel;
      shapes: number[][];
      weights: Float32Array;
      gradients: Float32Array;
    }
  | undefined;

async function handle(message: ToWorker): Promise<FromWorker> {
  if (message.kind === 'init') {
    const tfjs = await useWasmForTraining();
    state = {
      tfjs,
      model: createModel({ dropout: message.dropout }),
      shapes: message.shapes,
      weights: new Float32Array(message.weights),
      gradients: new Float32Array(message.gradients),
    };
    return { kind: 'ready' };
  }
  if (!state) throw new Error('step before init');
  const { tfjs, model, shapes, weights, gradients } = state;
  const tensors = unpackTensors(tfjs, weights, shapes);
  model.setWeights(tensors);
  tfjs.dispose(tensors);
  seedPart(message.stepSeed, message.part);
  const part = partGradients(tfjs, model, message.pixels, message.targets, message.size);
  packTensors(part.gradients, gradients);
  tfjs.dispose(part.gradients);
  return { kind: 'done', loss: part.loss, correct: part.correct };
}

port.on('message', (message: ToWorker) => {
  handle(message).then(
    (answer) => port.postMessage(answer),
    (error: unknown) =>
      port.postMessage({ kind: 'failed', message: String((error as Error)?.stack ?? error) }),
  );
});
