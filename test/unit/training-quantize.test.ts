import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeWeights, float16ToFloat32 } from '../../core/weights.ts';
import { encodeWeights } from '../../training/encode-weights.ts';
import {
  dequantizeUint8,
  float32ToFloat16Bits,
  quantizeFloat16,
  quantizeUint8,
} from '../../training/quantize.ts';

const weights = fc.float32Array({
  minLength: 1,
  maxLength: 300,
  noNaN: true,
  noDefaultInfinity: true,
  min: -1e4,
  max: 1e4,
});

describe('uint8 quantisation', () => {
  it('is within half a step of every value', () => {
    fc.assert(
      fc.property(weights, (values) => {
        const quantized = quantizeUint8(values);
        const restored = dequantizeUint8(quantized);
        const tolerance = quantized.scale / 2 + 1e-6 * Math.max(1, ...Array.from(values, Math.abs));
        for (let i = 0; i < values.length; i++) {
          expect(Math.abs((restored[i] as number) - (values[i] as number))).toBeLessThanOrEqual(tolerance);
        }
      }),
    );
  });

  it('uses the full range: min and max map to levels 0 and 255', () => {
    const { bytes, min, scale } = quantizeUint8(Float32Array.from([-0.5, 0.1, 1.5]));
    expect(bytes[0]).toBe(0);
    expect(bytes[2]).toBe(255);
    expect(min).toBeCloseTo(-0.5);
    expect(scale).toBeCloseTo(2 / 255);
  });

  it('handles constant tensors and rejects NaN', () => {
    expect(Array.from(dequantizeUint8(quantizeUint8(Float32Array.from([0.25, 0.25]))))).toEqual([0.25, 0.25]);
    expect(() => quantizeUint8(Float32Array.from([1, Number.NaN]))).toThrow(/NaN/);
  });
});

describe('float16', () => {
  it('round-trips exactly representable values and rounds others to the nearest half', () => {
    for (const value of [0, 1, -2, 0.5, 65504, 2 ** -14, 2 ** -24, -0.099975586]) {
      expect(float16ToFloat32(float32ToFloat16Bits(value))).toBeCloseTo(value, 6);
    }
    expect(float16ToFloat32(float32ToFloat16Bits(1e6))).toBe(Number.POSITIVE_INFINITY);
    fc.assert(
      fc.property(fc.float({ min: -60000, max: 60000, noNaN: true }), (value) => {
        const restored = float16ToFloat32(float32ToFloat16Bits(value));
        expect(Math.abs(restored - value)).toBeLessThanOrEqual(
          Math.max(Math.abs(value) * 2 ** -11, 2 ** -25),
        );
      }),
    );
  });
});

describe('encodeWeights → decodeWeights (tfjs weights-manifest format)', () => {
  const named = [
    { name: 'conv1/kernel', shape: [2, 3], values: Float32Array.from([0.1, -0.2, 0.3, -0.4, 0.5, -0.6]) },
    { name: 'conv1/bias', shape: [2], values: Float32Array.from([0.01, -0.02]) },
  ];

  it.each(['float32', 'float16', 'uint8'] as const)(
    '%s keeps biases exact and kernels close',
    (precision) => {
      const { entries, data } = encodeWeights(named, precision);
      const decoded = decodeWeights([{ paths: ['x.bin'], weights: entries }], data);
      expect(Array.from(decoded.get('conv1/bias') ?? [])).toEqual(Array.from(named[1]?.values ?? []));
      const kernel = decoded.get('conv1/kernel') ?? new Float32Array();
      for (const [i, v] of (named[0]?.values ?? []).entries()) {
        expect(Math.abs((kernel[i] as number) - v)).toBeLessThan(precision === 'uint8' ? 1.1 / 255 : 1e-3);
      }
      expect(data.byteLength).toBe({ float32: 32, float16: 20, uint8: 14 }[precision]);
    },
  );

  it('refuses shard bytes that do not match the manifest', () => {
    const { entries, data } = encodeWeights(named, 'uint8');
    expect(() => decodeWeights([{ paths: [], weights: entries }], data.subarray(1))).toThrow(
      /shards hold 13/,
    );
    expect(() => decodeWeights([{ paths: [], weights: entries }], new Uint8Array([...data, 0]))).toThrow(
      /describes 14 bytes/,
    );
  });

  it('writes float16 bits tfjs can read', () => {
    expect(Array.from(new Uint16Array(quantizeFloat16(Float32Array.from([1, -2])).buffer))).toEqual([
      0x3c00, 0xc000,
    ]);
  });
});
