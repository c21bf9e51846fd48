/** Real MNIST test digits as model inputs (values 0..1, ink = 1), the same for every benchmark. */
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { loadMnistTest } from '../../training/mnist.ts';

export interface Digits {
  readonly count: number;
  /** count × 784 floats. */
  readonly pixels: Float32Array;
  readonly labels: Uint8Array;
}

export async function readTestDigits(count: number): Promise<Digits> {
  const test = await loadMnistTest();
  if (count > test.count) throw new RangeError(`MNIST has ${test.count} test digits, not ${count}`);
  const pixels = new Float32Array(count * PIXEL_COUNT);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (test.images[i] as number) / 255;
  return { count, pixels, labels: test.labels.slice(0, count) };
}

/** Digit `index` (wrapping around) as its own 784-value array. */
export const digitAt = (digits: Digits, index: number): Float32Array => {
  const start = (index % digits.count) * PIXEL_COUNT;
  return digits.pixels.subarray(start, start + PIXEL_COUNT);
};
