import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

/** Loads an export folder with tfjs's own `tf.loadLayersModel`, exactly as a tfjs user would. */
export async function loadExportWithTfjs(directory: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(await readFile(join(directory, 'model.json'), 'utf8'));
  const handler: tf.io.IOHandler = {
    async load() {
      const group = modelJson.weightsManifest[0];
      const shards = await Promise.all(group.paths.map((path: string) => readFile(join(directory, path))));
      const bytes = Buffer.concat(shards);
      return {
        modelTopology: modelJson.modelTopology,
        format: modelJson.format,
        weightSpecs: group.weights,
        weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      };
    },
  };
  return tf.loadLayersModel(handler);
}

/** Accuracy of a model on the first `count` MNIST test digits, predicted in chunks to bound memory. */
export async function accuracyOnTestDigits(
  model: tf.LayersModel,
  images: Uint8Array,
  labels: Uint8Array,
  count: number,
) {
  let correct = 0;
  for (let from = 0; from < count; from += 500) {
    const size = Math.min(500, count - from);
    const pixels = Float32Array.from(images.subarray(from * 784, (from + size) * 784), (v) => v / 255);
    const predicted = tf.tidy(() =>
      (model.predict(tf.tensor4d(pixels, [size, 28, 28, 1])) as tf.Tensor).argMax(-1),
    );
    const guesses = await predicted.data();
    predicted.dispose();
    for (let i = 0; i < size; i++) if (guesses[i] === labels[from + i]) correct++;
  }
  return correct / count;
}
