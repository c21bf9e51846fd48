/** Encodes named float32 weights into one tfjs weight shard at a chosen precision (pure). */
import type { Precision } from '../core/manifest.ts';
import type { WeightEntry } from '../core/weights.ts';
import { quantizeFloat16, quantizeUint8 } from './quantize.ts';

export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Kernels carry nearly all parameters; biases (234 values) stay float32 for a few hundred bytes. */
const isQuantized = (name: string) => name.endsWith('/kernel');

export function encodeWeights(
  weights: readonly NamedWeight[],
  precision: Precision,
): { entries: WeightEntry[]; data: Uint8Array } {
  const entries: WeightEntry[] = [];
  const chunks: Uint8Array[] = [];
  for (const weight of weights) {
    if (precision === 'float32' || !isQuantized(weight.name)) {
      entries.push({ name: weight.name, shape: [...weight.shape], dtype: 'float32' });
      chunks.push(new Uint8Array(Float32Array.from(weight.values).buffer));
    } else if (precision === 'float16') {
      entries.push({
        name: weight.name,
        shape: [...weight.shape],
        dtype: 'float32',
        quantization: { dtype: 'float16' },
      });
      chunks.push(quantizeFloat16(weight.values));
    } else {
      const { bytes, min, scale } = quantizeUint8(weight.values);
      entries.push({
        name: weight.name,
        shape: [...weight.shape],
        dtype: 'float32',
        quantization: { dtype: 'uint8', min, scale },
      });
      chunks.push(bytes);
    }
  }
  const data = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    data.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return { entries, data };
}
