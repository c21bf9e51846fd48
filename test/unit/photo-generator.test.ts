import { decode as decodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { readMnistTestDigits } from '../fixtures/mnist-idx.ts';
import { numberPhoto, writeDigits } from '../fixtures/numbers/generate-numbers.ts';
import { exifOrientationSegment, photoBytes, storeRotated } from '../fixtures/photos/photo-bytes.ts';
import { generatePhoto } from '../fixtures/photos/photo-generator.ts';
import { photoCases } from '../fixtures/photos/photo-set.ts';

const digit = readMnistTestDigits(1).pixels;

describe('photo generator', () => {
  it('is deterministic: the same digit, condition, seed and profile give the same pixels', () => {
    const a = generatePhoto({ digit, condition: 'dirt', seed: 5 });
    const b = generatePhoto({ digit, condition: 'dirt', seed: 5 });
    const c = generatePhoto({ digit, condition: 'dirt', seed: 6 });
    const d = generatePhoto({ digit, condition: 'dirt', seed: 5, profile: 'heldOut' });
    expect(Buffer.from(a.image.data).equals(Buffer.from(b.image.data))).toBe(true);
    expect(Buffer.from(a.image.data).equals(Buffer.from(c.image.data))).toBe(false);
    expect(Buffer.from(a.image.data).equals(Buffer.from(d.image.data))).toBe(false);
  });

  it('keeps tuning and held-out photos apart: other MNIST digits and other seeds', () => {
    const tuning = photoCases('tuning', 100);
    const heldOut = photoCases('heldOut', 100);
    const seeds = new Set(tuning.map((c) => c.seed));
    expect(heldOut.some((c) => seeds.has(c.seed))).toBe(false);
    expect(Math.max(...tuning.map((c) => c.index))).toBeLessThan(500);
    expect(Math.min(...heldOut.map((c) => c.index))).toBeGreaterThanOrEqual(500);
  });

  it('stores rotated frames so that applying the EXIF orientation gives the upright picture back', () => {
    const width = 3;
    const height = 2;
    const data = new Uint8ClampedArray(width * height * 4).map((_, i) => i);
    const upright = { width, height, data };
    // Applying orientation 6 (turn clockwise) to the stored frame, by hand.
    const stored = storeRotated(upright, 6);
    expect([stored.width, stored.height]).toEqual([2, 3]);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        // Displayed (x, y) after a clockwise turn comes from stored (y, storedHeight − 1 − x).
        const from = 4 * ((stored.height - 1 - x) * stored.width + y);
        expect(stored.data[from]).toBe(data[4 * (y * width + x)]);
      }
    }
    const back = storeRotated(storeRotated(upright, 3), 3);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it('writes an EXIF APP1 segment right after the JPEG start, and the JPEG still decodes', () => {
    const photo = generatePhoto({ digit, condition: 'ballpoint', seed: 2 });
    const { bytes, contentType } = photoBytes({ ...photo, format: 'jpeg', orientation: 8 });
    expect(contentType).toBe('image/jpeg');
    const segment = exifOrientationSegment(8);
    expect(Array.from(bytes.subarray(2, 2 + segment.length))).toEqual(Array.from(segment));
    expect(Buffer.from(bytes.subarray(6, 12)).toString('latin1')).toBe('Exif\0\0');
    const decoded = decodeJpeg(bytes, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([photo.image.height, photo.image.width]);
  });

  it('photographs a long written number whole, drawn smaller to fit across the frame', () => {
    const mnist = readMnistTestDigits(20);
    // Eight digits with gaps, about 4.7 times as wide as tall; number 1 is photographed on ruled paper.
    const written = writeDigits(mnist, [0, 1, 2, 3, 4, 5, 6, 7], 3);
    const photo = numberPhoto(written, 1, 'tuning');
    const { width, height, data } = photo.image;
    // Ink is far darker than paper and the blue rules: find the columns that hold some.
    const inked: boolean[] = [];
    for (let x = 0; x < width; x++) {
      let dark = false;
      for (let y = 0; y < height && !dark; y++) dark = (data[4 * (y * width + x) + 1] as number) < 90;
      inked.push(dark);
    }
    // Every digit is in the frame: the ink starts and ends inside it, in runs of columns, one per digit or
    // touching pair (the layout leaves most pairs a gap).
    expect(inked[0]).toBe(false);
    expect(inked[width - 1]).toBe(false);
    const runs = inked.filter((dark, x) => dark && !inked[x - 1]).length;
    expect(runs).toBeGreaterThanOrEqual(6);
    expect(Buffer.from(numberPhoto(written, 1, 'tuning').image.data)).toEqual(Buffer.from(data));
  });
});
