/**
 * The image decoders against independent references on the same files: our PNG decoder against fast-png
 * on every PngSuite file, our scaled JPEG decoder against jpeg-js (decoded at full size, then
 * box-averaged) on libjpeg-turbo's encodings; plus the structure checks, EXIF orientation and the limits.
 */

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { convertIndexedToRgb, decode as decodeReferencePng } from 'fast-png';
import { decode as decodeReferenceJpeg, encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import {
  doubleIhdrPng,
  jpegClaiming,
  jpegHeaderBomb,
  paperPhoto,
  sixteenBitBomb,
  withExifOrientation,
} from '../../bench/lib/decode-inputs.ts';
import { ApiError } from '../../worker/api-error.ts';
import {
  DECODED_LONG_SIDE_MIN,
  DecodeBudget,
  MAX_JPEG_PIXELS,
  REQUEST_DECODE_PIXELS,
} from '../../worker/input/decode-budget.ts';
import { type DecodedImage, decodeImage, jpegScaleFor } from '../../worker/input/decode-image.ts';
import { decodeScaledJpeg, type JpegScale } from '../../worker/input/jpeg-scaled-decoder.ts';
import { readJpegHeader } from '../../worker/input/jpeg-structure.ts';
import { checkPngStructure } from '../../worker/input/png-structure.ts';

const fixtures = new URL('../fixtures/', import.meta.url).pathname;
const read = (path: string): Uint8Array => new Uint8Array(readFileSync(`${fixtures}${path}`));
const pngSuite = readdirSync(`${fixtures}pngsuite`).filter((name) => name.endsWith('.png'));

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

/** fast-png's decoding of any PNG, as 8-bit RGBA (16-bit samples rounded, sub-byte grey scaled). */
function referencePng(bytes: Uint8Array): {
  width: number;
  height: number;
  data: Uint8Array;
  alpha: boolean;
} {
  const png = decodeReferencePng(bytes);
  const { width, height } = png;
  const count = width * height;
  const data = new Uint8Array(count * 4);
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const channels = png.palette[0]?.length ?? 3;
    for (let i = 0; i < count; i++) {
      for (let c = 0; c < 3; c++) data[i * 4 + c] = rgb[i * channels + c] as number;
      data[i * 4 + 3] = channels === 4 ? (rgb[i * channels + 3] as number) : 255;
    }
    return { width, height, data, alpha: true };
  }
  const max = 2 ** png.depth - 1;
  const rowBits = width * png.channels * png.depth;
  const sample = (x: number, y: number, c: number): number => {
    if (png.depth >= 8) return png.data[(y * width + x) * png.channels + c] as number;
    const bit = y * Math.ceil(rowBits / 8) * 8 + x * png.depth;
    return ((png.data[bit >> 3] as number) >> (8 - png.depth - (bit & 7))) & max;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const level = (c: number) => Math.round((sample(x, y, c) * 255) / max);
      if (png.channels <= 2) data[o] = data[o + 1] = data[o + 2] = level(0);
      else for (let c = 0; c < 3; c++) data[o + c] = level(c);
      data[o + 3] = png.channels === 2 ? level(1) : png.channels === 4 ? level(3) : 255;
    }
  }
  return { width, height, data, alpha: png.channels === 2 || png.channels === 4 };
}

/**
 * fast-png 8 misreads some interlaced images below 8 bits, so interlaced files are compared with their
 * PngSuite twin: the same picture stored without interlacing.
 */
function referenceTwin(name: string): string {
  return name.replace(/^(bas|s\d\d)i/, '$1n');
}

/** The PNG without its chunks of `type` (CRCs stay valid: they cover each chunk alone). */
function withoutChunk(bytes: Uint8Array, type: string): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kept: Uint8Array[] = [bytes.subarray(0, 8)];
  for (let offset = 8; offset + 12 <= bytes.length; ) {
    const end = offset + 12 + view.getUint32(offset);
    if (String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)) !== type)
      kept.push(bytes.subarray(offset, end));
    offset = end;
  }
  return Uint8Array.from(kept.flatMap((part) => Array.from(part)));
}

describe('PNG: every PngSuite file', () => {
  it.each(pngSuite.filter((name) => name.startsWith('x')))(
    'refuses the corrupt %s with 422',
    async (name) => {
      const error = await refusal(decodeImage(read(`pngsuite/${name}`)));
      expect(error.status).toBe(422);
      expect(error.code).toBe('image_undecodable');
    },
  );

  it.each(pngSuite.filter((name) => !name.startsWith('x')))('decodes %s as fast-png does', async (name) => {
    const bytes = read(`pngsuite/${name}`);
    const ours = await decodeImage(bytes);
    // fast-png also trips over a (suggested) palette in a true-colour image: it is ignored there anyway.
    const twin = read(`pngsuite/${referenceTwin(name)}`);
    const reference = referencePng(name.startsWith('pp0n') ? withoutChunk(twin, 'PLTE') : twin);
    expect([ours.width, ours.height]).toEqual([reference.width, reference.height]);
    expect([ours.sourceWidth, ours.sourceHeight]).toEqual([reference.width, reference.height]);
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++) {
      if (i % 4 === 3 && !reference.alpha) continue; // tRNS colour keys: fast-png leaves them to the caller
      worst = Math.max(worst, Math.abs((ours.data[i] as number) - (reference.data[i] as number)));
    }
    expect(worst).toBeLessThanOrEqual(1); // 16-bit samples: rounding vs truncation
  });
});

describe('PNG structure', () => {
  it('refuses a second IHDR (1×1, then 10000×10000) from the structure alone', async () => {
    const bytes = doubleIhdrPng();
    expect(checkPngStructure(bytes)).toEqual({ ok: false, reason: 'The PNG has more than one IHDR chunk.' });
    expect((await refusal(decodeImage(bytes))).status).toBe(422);
  });

  it('refuses a 16-bit 4096×4096 PNG from its header, naming the limit and what to do', async () => {
    const bytes = sixteenBitBomb();
    expect(bytes.length).toBeLessThan(200_000);
    const error = await refusal(decodeImage(bytes));
    expect([error.status, error.code]).toEqual([422, 'image_too_large']);
    expect(error.detail).toMatch(/4096×4096 at 16 bits × 4 channels/);
    expect(error.detail).toMatch(/Downscale it to at most \d+ px on the long side/);
  });

  it('refuses image data longer or shorter than the header declares', async () => {
    const bytes = read('pngsuite/basn0g08.png');
    const header = checkPngStructure(bytes);
    expect(header.ok).toBe(true);
    // The same IDAT under a header one row taller: the data ends early.
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const taller = bytes.slice();
    new DataView(taller.buffer).setUint32(20, view.getUint32(20) + 1);
    const error = await refusal(decodeImage(taller));
    expect(error.detail).toMatch(/CRC/); // the changed IHDR no longer matches its CRC
  });

  it('refuses bytes that are cut short', async () => {
    const bytes = read('pngsuite/basn6a08.png');
    const error = await refusal(decodeImage(bytes.subarray(0, bytes.length - 40)));
    expect(error.status).toBe(422);
  });
});

/** jpeg-js's full-size decoding box-averaged by `scale`: what a reduced decode should approximate. */
function referenceAtScale(bytes: Uint8Array, scale: number): DecodedImage {
  const full = decodeReferenceJpeg(bytes, { useTArray: true, formatAsRGBA: true });
  const width = Math.ceil(full.width / scale);
  const height = Math.ceil(full.height / scale);
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        let count = 0;
        for (let dy = 0; dy < scale && y * scale + dy < full.height; dy++) {
          for (let dx = 0; dx < scale && x * scale + dx < full.width; dx++) {
            sum += full.data[((y * scale + dy) * full.width + x * scale + dx) * 4 + c] as number;
            count++;
          }
        }
        data[(y * width + x) * 4 + c] = Math.round(sum / count);
      }
    }
  }
  return { width, height, data, sourceWidth: full.width, sourceHeight: full.height };
}

const meanDifference = (a: DecodedImage, b: DecodedImage): number => {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs((a.data[i] as number) - (b.data[i] as number));
  return sum / a.data.length;
};

describe('JPEG at reduced scale, against jpeg-js', () => {
  const variants = ['420', '422', '440', '444', 'grey', 'restart', 'optimised'];
  const scales: JpegScale[] = [1, 2, 4, 8];
  it.each(variants.flatMap((variant) => scales.map((scale) => [variant, scale] as const)))(
    '%s.jpg at 1/%i',
    (variant, scale) => {
      const bytes = read(`jpeg/${variant}.jpg`);
      const header = readJpegHeader(bytes);
      expect(header).not.toBeNull();
      const ours = decodeScaledJpeg(bytes, header as NonNullable<typeof header>, scale);
      const reference = referenceAtScale(bytes, scale);
      expect([ours.width, ours.height]).toEqual([reference.width, reference.height]);
      expect([ours.sourceWidth, ours.sourceHeight]).toEqual([301, 203]);
      // Full size: the same IDCT up to rounding. Reduced: a smaller IDCT is not a box filter, and chroma is
      // upsampled at a different phase, so a few levels on average (0..255), not more.
      expect(meanDifference(ours, reference)).toBeLessThan(scale === 1 ? 1 : 4);
    },
  );

  it('decodes progressive JPEGs through jpeg-js, exactly as jpeg-js does', async () => {
    const bytes = read('jpeg/progressive.jpg');
    const ours = await decodeImage(bytes);
    const reference = referenceAtScale(bytes, 1);
    expect(meanDifference(ours, reference)).toBe(0);
  });

  it('picks the reduction that keeps the long side at least DECODED_LONG_SIDE_MIN', () => {
    expect(DECODED_LONG_SIDE_MIN).toBe(400);
    expect(jpegScaleFor(4032, 3024)).toBe(8);
    expect(jpegScaleFor(3024, 4032)).toBe(8);
    expect(jpegScaleFor(799, 100)).toBe(2); // 400 px at half size
    expect(jpegScaleFor(798, 100)).toBe(1);
    expect(jpegScaleFor(2048, 100)).toBe(4);
    expect(jpegScaleFor(8000, 6000)).toBe(8);
    expect(jpegScaleFor(4096, 3072)).toBe(8);
    expect(jpegScaleFor(8192, 8192)).toBe(8);
    expect(jpegScaleFor(16384, 100)).toBe(8);
    expect(jpegScaleFor(28, 28)).toBe(1);
  });

  it('decodes a 4000×3000 photo at an eighth of its size, upright, with its source size', async () => {
    const width = 4000;
    const height = 3000;
    const bytes = new Uint8Array(
      encodeJpeg({ width, height, data: paperPhoto(width, height, 4, 5) }, 80).data,
    );
    const image = await decodeImage(withExifOrientation(bytes, 6));
    expect([image.width, image.height, image.sourceWidth, image.sourceHeight]).toEqual([
      375, 500, 3000, 4000,
    ]);
    expect(image.data.length).toBe(375 * 500 * 4);
  });
});

/**
 * SHA-256 (first 16 hex digits) of the RGBA at 1/1, 1/2, 1/4 and 1/8, or the error, as the plain decoder
 * (one table lookup per Huffman symbol, every coefficient dequantised) gave them before the fast paths:
 * the combined AC table, skipping at 1/8 and keeping only the N×N corner must change no byte. The
 * fixtures use long codes (over 10 bits) and values whose code and bits exceed 16 bits.
 */
const PLAIN_DECODER_OUTPUT: Record<string, readonly string[]> = {
  '420': ['6fd3e3b6ea079b8d', '59a0bab237c9351d', 'a55eb28688058e9b', '3af4006c79b1b561'],
  '422': ['50a778fb77828715', '4fbf573a39fe2bcd', 'e9b94d0fd768b207', 'd0970adea628ef35'],
  '440': ['d68d466d8cdc771e', 'd83de671ba2113b9', 'e5c790f6e18114c8', 'fabe83b5134e5c1a'],
  '444': ['c5bddb19f2593770', 'cba9860d8fe27198', '30fcbe1e727ecca2', '8afeb2f5dc5b74d8'],
  grey: ['3f6d277cfe556d27', 'ac9a857e5c0c1285', '691f68b86eabfb09', 'c1971eb19ce756bc'],
  // The same picture and quantisation as 420.jpg, other entropy coding: the same pixels.
  restart: ['6fd3e3b6ea079b8d', '59a0bab237c9351d', 'a55eb28688058e9b', '3af4006c79b1b561'],
  optimised: ['6fd3e3b6ea079b8d', '59a0bab237c9351d', 'a55eb28688058e9b', '3af4006c79b1b561'],
  // jpeg-js at quality 95 (its standard tables, larger values), stored turned with EXIF orientation 6.
  photo: ['853b29157ff3f631', 'c37f98eaccf5e773', 'aa6cd8cfbccc7906', 'd5803165a287cdd2'],
  // restart.jpg with a flipped bit that throws the codes out of step until the next RST marker.
  resynced: ['9c5a4e7e8b6e1139', '9fd683e04e364364', 'acdbd3e224a5366e', '1ebe9ca3c75528d0'],
  broken: Array(4).fill('Corrupt AC coefficients.'),
  cut: Array(4).fill('The JPEG image data ends before the image does.'),
};

describe('JPEG at reduced scale, byte for byte', () => {
  const restart = read('jpeg/restart.jpg');
  const resynced = restart.slice();
  resynced[8025] = (resynced[8025] as number) ^ 0x10;
  const broken = restart.slice();
  broken[restart.length >> 1] = (broken[restart.length >> 1] as number) ^ 0x5a;
  const inputs: Record<string, () => Uint8Array> = {
    ...Object.fromEntries(
      ['420', '422', '440', '444', 'grey', 'restart', 'optimised'].map((name) => [
        name,
        () => read(`jpeg/${name}.jpg`),
      ]),
    ),
    photo: () =>
      withExifOrientation(
        new Uint8Array(encodeJpeg({ width: 333, height: 250, data: paperPhoto(333, 250, 4, 3) }, 95).data),
        6,
      ),
    resynced: () => resynced,
    broken: () => broken,
    cut: () => restart.subarray(0, 12000),
  };
  it.each(Object.keys(PLAIN_DECODER_OUTPUT))('%s', (name) => {
    const bytes = (inputs[name] as () => Uint8Array)();
    const header = readJpegHeader(bytes);
    expect(header).not.toBeNull();
    const outputs = ([1, 2, 4, 8] as const).map((scale) => {
      try {
        const image = decodeScaledJpeg(bytes, header as NonNullable<typeof header>, scale);
        return createHash('sha256').update(image.data).digest('hex').slice(0, 16);
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    });
    expect(outputs).toEqual(PLAIN_DECODER_OUTPUT[name]);
  });
});

describe('EXIF orientation', () => {
  // A picture whose four quadrants differ, so every rotation and mirror is told apart.
  const width = 48;
  const height = 32;
  const stored = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      stored[o] = x < width / 2 ? 230 : 20;
      stored[o + 1] = y < height / 2 ? 230 : 20;
      stored[o + 2] = 128;
      stored[o + 3] = 255;
    }
  }
  const jpeg = new Uint8Array(encodeJpeg({ width, height, data: stored }, 95).data);
  /** Where stored (x, y) must land, by the EXIF definitions. */
  const expected: Record<number, (x: number, y: number) => [number, number]> = {
    1: (x, y) => [x, y],
    2: (x, y) => [width - 1 - x, y],
    3: (x, y) => [width - 1 - x, height - 1 - y],
    4: (x, y) => [x, height - 1 - y],
    5: (x, y) => [y, x],
    6: (x, y) => [height - 1 - y, x],
    7: (x, y) => [height - 1 - y, width - 1 - x],
    8: (x, y) => [y, width - 1 - x],
  };

  it.each([1, 2, 3, 4, 5, 6, 7, 8].flatMap((o) => [[o, false] as const, [o, true] as const]))(
    'orientation %i (little-endian TIFF: %s) is applied at decode',
    async (orientation, littleEndian) => {
      const upright = await decodeImage(withExifOrientation(jpeg, orientation, littleEndian));
      const plain = await decodeImage(jpeg);
      const swapped = orientation >= 5;
      expect([upright.width, upright.height]).toEqual(swapped ? [height, width] : [width, height]);
      expect([upright.sourceWidth, upright.sourceHeight]).toEqual([upright.width, upright.height]);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const [ux, uy] = (expected[orientation] as (x: number, y: number) => [number, number])(x, y);
          const from = (y * width + x) * 4;
          const to = (uy * upright.width + ux) * 4;
          expect(Array.from(upright.data.subarray(to, to + 4))).toEqual(
            Array.from(plain.data.subarray(from, from + 4)),
          );
        }
      }
    },
  );
});

describe('JPEG limits', () => {
  it('refuses a header over the pixel limit before decoding, saying what to do', async () => {
    const bytes = jpegClaiming(read('jpeg/420.jpg'), 9000, 9000);
    const error = await refusal(decodeImage(bytes));
    expect([error.status, error.code]).toEqual([422, 'image_too_large']);
    expect(error.detail).toMatch(/Downscale it to at most 8192 px on the long side/);
  });

  it('stops a small file that claims the largest accepted size once its data runs out', async () => {
    const bytes = jpegHeaderBomb();
    expect((readJpegHeader(bytes)?.width ?? 0) ** 2).toBe(MAX_JPEG_PIXELS);
    const error = await refusal(decodeImage(bytes));
    expect([error.status, error.code]).toEqual([422, 'image_undecodable']);
    expect(error.detail).toMatch(/ends before the image does/);
  });

  it('refuses large progressive JPEGs with a 422 that says to send a baseline JPEG', async () => {
    const bytes = jpegClaiming(read('jpeg/progressive.jpg'), 2000, 1500);
    const error = await refusal(decodeImage(bytes));
    expect([error.status, error.code]).toEqual([422, 'image_too_large']);
    expect(error.detail).toMatch(/baseline \(non-progressive\) JPEG/);
  });
});

describe('decode budget', () => {
  it('lets a request decode REQUEST_DECODE_PIXELS in all, then answers 413', () => {
    const budget = new DecodeBudget();
    budget.take(REQUEST_DECODE_PIXELS - 10);
    expect(budget.left).toBe(10);
    let error: unknown;
    try {
      budget.take(11);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).code]).toEqual([413, 'decode_budget_exceeded']);
    expect(budget.left).toBe(10);
  });

  it('charges an image its decoded pixels before decoding it', async () => {
    const budget = new DecodeBudget(301 * 203 * 2);
    await decodeImage(read('jpeg/420.jpg'), budget);
    await decodeImage(read('jpeg/444.jpg'), budget);
    const error = await refusal(decodeImage(read('jpeg/grey.jpg'), budget));
    expect(error.code).toBe('decode_budget_exceeded');
  });
});
