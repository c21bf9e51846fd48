import { describe, expect, it } from 'vitest';
import { IdxFormatError, pairImagesWithLabels, parseIdx } from '../../training/idx.ts';
import { loadMnistTest, splitTrainValidation } from '../../training/mnist.ts';

function idx(dimensions: number[], data: number[] | Uint8Array, magic = 0x00000800 | dimensions.length) {
  const header = new DataView(new ArrayBuffer(4 + 4 * dimensions.length));
  header.setUint32(0, magic);
  for (const [i, d] of dimensions.entries()) header.setUint32(4 + 4 * i, d);
  const bytes = new Uint8Array(header.byteLength + data.length);
  bytes.set(new Uint8Array(header.buffer));
  bytes.set(data, header.byteLength);
  return bytes;
}

describe('parseIdx', () => {
  it('reads dimensions and data', () => {
    const parsed = parseIdx(idx([2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    expect(parsed.dimensions).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('rejects a bad magic number, naming the file', () => {
    expect(() => parseIdx(idx([1], [0], 0x00000d01), 'labels.idx')).toThrow(
      /labels\.idx: bad magic number 0x00000d01/,
    );
    expect(() => parseIdx(idx([1], [0], 0x12340801))).toThrow(IdxFormatError);
  });

  it('rejects truncated and oversized files', () => {
    const whole = idx([3, 2], [1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(whole.subarray(0, whole.length - 1))).toThrow(/need 18 bytes but the file has 17/);
    expect(() => parseIdx(new Uint8Array([...whole, 0]))).toThrow(/need 18 bytes but the file has 19/);
    expect(() => parseIdx(whole.subarray(0, 2))).toThrow(/too short/);
    expect(() => parseIdx(whole.subarray(0, 9))).toThrow(/header needs 12 bytes/);
  });

  it('checks that images and labels belong together', () => {
    const images = parseIdx(idx([2, 2, 2], [0, 0, 0, 0, 1, 1, 1, 1]));
    const shape = { rows: 2, cols: 2, classes: 10 };
    expect(pairImagesWithLabels(images, parseIdx(idx([2], [3, 9])), shape).count).toBe(2);
    expect(() => pairImagesWithLabels(images, parseIdx(idx([3], [1, 2, 3])), shape)).toThrow(
      /2 images but 3 labels/,
    );
    expect(() => pairImagesWithLabels(images, parseIdx(idx([2], [1, 10])), shape)).toThrow(
      /label 10 at index 1/,
    );
    expect(() => pairImagesWithLabels(images, parseIdx(idx([2], [1, 1])), { ...shape, rows: 28 })).toThrow(
      /2×2, want 28×2/,
    );
    expect(() => pairImagesWithLabels(images, parseIdx(idx([2], [1, 1])), { ...shape, count: 5 })).toThrow(
      /2 images, want 5/,
    );
  });
});

describe('the real MNIST files', () => {
  it('hold 10,000 test digits of 28×28 with all ten classes', async () => {
    const test = await loadMnistTest();
    expect(test.count).toBe(10_000);
    expect(test.images.length).toBe(10_000 * 784);
    expect(new Set(test.labels).size).toBe(10);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]); // the well-known first test digits
  });

  it('validation is held out from the end of the training set, never overlapping training', () => {
    const fake = { images: new Uint8Array(0), labels: new Uint8Array(100), count: 100, rows: 28, cols: 28 };
    const { train, validation } = splitTrainValidation(fake, 10, 30);
    expect(train.indices.length).toBe(30);
    expect(validation.indices[0]).toBe(90);
    expect(Math.max(...train.indices)).toBeLessThan(Math.min(...validation.indices));
  });
});
