/**
 * Pure decoding of tfjs's weights-manifest format (as written by `model.save` and our exporter), including
 * its `quantization` entries, into plain Float32Arrays. The Worker uses this to run the model as fused ops
 * without the layers API; tests use it to check exports.
 */

interface QuantizationSpec {
  readonly dtype: 'uint8' | 'uint16' | 'float16';
  readonly scale?: number;
  readonly min?: number;
}

export interface WeightEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32' | 'int32';
  readonly quantization?: QuantizationSpec;
}

export interface WeightsGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightEntry[];
}

class WeightsFormatError extends Error {
  override readonly name = 'WeightsFormatError';
}

const bytesPerElement = (entry: WeightEntry): number => {
  switch (entry.quantization?.dtype) {
    case 'uint8':
      return 1;
    case 'uint16':
    case 'float16':
      return 2;
    default:
      return 4;
  }
};

/** IEEE 754 half → single, bit-exact for normals, subnormals, infinities and NaN. */
export function float16ToFloat32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/**
 * Decodes every weight of a manifest from the concatenated shard bytes of all its groups (in manifest
 * order). Throws WeightsFormatError when the bytes do not match the manifest's sizes.
 */
export function decodeWeights(
  groups: readonly WeightsGroup[],
  shardBytes: Uint8Array,
): Map<string, Float32Array> {
  const result = new Map<string, Float32Array>();
  const view = new DataView(shardBytes.buffer, shardBytes.byteOffset, shardBytes.byteLength);
  let offset = 0;
  for (const group of groups) {
    for (const entry of group.weights) {
      const count = entry.shape.reduce((a, b) => a * b, 1);
      const byteLength = count * bytesPerElement(entry);
      if (offset + byteLength > shardBytes.byteLength) {
        throw new WeightsFormatError(
          `weight ${entry.name} needs bytes ${offset}..${offset + byteLength} but the shards hold ${shardBytes.byteLength}`,
        );
      }
      const values = new Float32Array(count);
      const quantization = entry.quantization;
      if (quantization?.dtype === 'uint8') {
        // A table of the 256 values (the same float32 roundings as computing each one): a cold isolate runs
        // this loop over every weight before its code is optimised, so it does one load and one store.
        const scale = quantization.scale ?? 1;
        const min = quantization.min ?? 0;
        const table = new Float32Array(256);
        for (let q = 0; q < 256; q++) table[q] = q * scale + min;
        const codes = shardBytes.subarray(offset, offset + count);
        for (let i = 0; i < count; i++) values[i] = table[codes[i] as number] as number;
      } else if (quantization?.dtype === 'uint16') {
        const scale = quantization.scale ?? 1;
        const min = quantization.min ?? 0;
        for (let i = 0; i < count; i++) values[i] = view.getUint16(offset + 2 * i, true) * scale + min;
      } else if (quantization?.dtype === 'float16') {
        for (let i = 0; i < count; i++) values[i] = float16ToFloat32(view.getUint16(offset + 2 * i, true));
      } else if (entry.dtype === 'int32') {
        for (let i = 0; i < count; i++) values[i] = view.getInt32(offset + 4 * i, true);
      } else {
        for (let i = 0; i < count; i++) values[i] = view.getFloat32(offset + 4 * i, true);
      }
      result.set(entry.name, values);
      offset += byteLength;
    }
  }
  if (offset !== shardBytes.byteLength) {
    throw new WeightsFormatError(
      `the manifest describes ${offset} bytes but the shards hold ${shardBytes.byteLength}`,
    );
  }
  return result;
}
