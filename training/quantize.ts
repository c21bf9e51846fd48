/**
 * Weight quantisation in tfjs's own weights-manifest format: `quantization: {dtype: 'uint8', min, scale}`
 * (value = q · scale + min) and `{dtype: 'float16'}`. tfjs reads these when loading but never writes them.
 */

export interface Uint8Quantized {
  readonly bytes: Uint8Array;
  readonly min: number;
  readonly scale: number;
}

/**
 * Affine per-tensor uint8 quantisation over the tensor's exact [min, max]: 256 evenly spaced levels that
 * cover every value, so each value is off by at most half a step (scale / 2), the smallest worst-case error
 * any 256-level affine grid over this tensor can give. The zero point is not nudged onto a level: these
 * weights have no exact zeros worth preserving.
 */
export function quantizeUint8(values: Float32Array): Uint8Quantized {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of values) {
    if (!Number.isFinite(value)) throw new RangeError('cannot quantise a tensor holding NaN or Infinity');
    if (value < min) min = value;
    if (value > max) max = value;
  }
  if (values.length === 0) return { bytes: new Uint8Array(0), min: 0, scale: 1 };
  // Store min and scale as float32, exactly as the reader will use them.
  const storedMin = Math.fround(min);
  const scale = max > min ? Math.fround((max - min) / 255) : 1;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const level = Math.round(((values[i] as number) - storedMin) / scale);
    bytes[i] = level < 0 ? 0 : Math.min(level, 255);
  }
  return { bytes, min: storedMin, scale };
}

export function dequantizeUint8({ bytes, min, scale }: Uint8Quantized): Float32Array {
  const values = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) values[i] = (bytes[i] as number) * scale + min;
  return values;
}

const floatView = new Float32Array(1);
const bitsView = new Uint32Array(floatView.buffer);

/** IEEE 754 single → half with round-to-nearest-even; overflow → ±Infinity. */
export function float32ToFloat16Bits(value: number): number {
  floatView[0] = value;
  const bits = bitsView[0] as number;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  let halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const rounded = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const up = remainder > halfway || (remainder === halfway && (rounded & 1) === 1);
    return sign | (rounded + (up ? 1 : 0));
  }
  const rounded = mantissa >>> 13;
  const remainder = mantissa & 0x1fff;
  let half = (halfExponent << 10) | rounded;
  if (remainder > 0x1000 || (remainder === 0x1000 && (rounded & 1) === 1)) half += 1; // may carry into exponent
  halfExponent = half >>> 10;
  return sign | half;
}

export function quantizeFloat16(values: Float32Array): Uint8Array {
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = float32ToFloat16Bits(values[i] as number);
  return new Uint8Array(halves.buffer);
}
