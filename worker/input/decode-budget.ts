/**
 * The memory and time budget of image decoding, in one place. A production isolate has 128 MB for all of
 * its concurrent requests, so every accepted image must stay within DECODE_MEMORY_TARGET_BYTES of extra
 * memory (measured in test/unit/decode-memory.test.ts and `npm run bench`). The limits below are what
 * keeps it there: every one of them is checked from a validated header, before anything is decoded.
 */

import { ApiError } from '../api-error.ts';

/** The peak extra memory an accepted image may cost while it is decoded and preprocessed. */
export const DECODE_MEMORY_TARGET_BYTES = 64 * 1024 * 1024;

/**
 * JPEGs are decoded at 1/2, 1/4 or 1/8 scale while the long side stays at least this long: more than the ink
 * extraction's working side (core/extract-ink.ts WORK_SIDE, 320), which it then area-averages down to, so
 * nothing it could see is lost. A 12 MP photo decodes at 1/8 (DC coefficients only): about 150–180 ms for the
 * whole pixels path here, against 220–290 ms at 1/4 and 620–830 ms at 1/2.
 */
export const DECODED_LONG_SIDE_MIN = 400;

/** Largest JPEG, in source pixels: 8192×8192 (a 64 MP sensor), decoded at 1/8. Bounds decoding time. */
export const MAX_JPEG_PIXELS = 8192 * 8192;
/** Longest JPEG side (a panorama decoded at 1/8 still has to fit the pixel budget below). */
export const MAX_JPEG_SIDE = 16384;

/**
 * JPEGs the scaled decoder leaves to a full-size decoder (progressive, CMYK, one scan per component) are
 * held whole with their coefficients (about 10 bytes a pixel), so they get a smaller limit.
 */
export const MAX_FULL_SIZE_JPEG_PIXELS = 2_500_000;

/**
 * Largest PNG: its inflated scanlines are held once beside the RGBA output, so the limit is on the
 * inflated bytes (which depend on bit depth and channels) as well as on pixels (2048×2048).
 */
export const MAX_PNG_PIXELS = 4 * 1024 * 1024;
export const MAX_PNG_INFLATED_BYTES = 16 * 1024 * 1024 + 4096;

/**
 * What one request may decode in all, in decoded pixels (after JPEG reduction): a batch's images share it,
 * so 256 large images cannot cost 256 times one. Decoded images die one after another, but their memory
 * is only reclaimed at the next garbage collection, so the sum is bounded too: three 2048×2048 PNGs, or
 * four 12 MP JPEGs (decoded at half size).
 */
export const REQUEST_DECODE_PIXELS = 12 * 1024 * 1024;

/**
 * The decoding budget of one request. Each image takes its decoded pixels before it is decoded.
 * @example const budget = new DecodeBudget(); budget.take(4032 * 3024, 'images[3]');
 */
export class DecodeBudget {
  #left: number;
  constructor(readonly total = REQUEST_DECODE_PIXELS) {
    this.#left = total;
  }

  get left(): number {
    return this.#left;
  }

  /** Takes `pixels` of decoding work, or throws 413 `decode_budget_exceeded`. */
  take(pixels: number): void {
    if (pixels > this.#left) {
      throw new ApiError(
        413,
        'decode_budget_exceeded',
        'Too many pixels in one request',
        `The images of one request may hold ${formatPixels(this.total)} pixels in all; ` +
          `this one would bring the request to ${formatPixels(this.total - this.#left + pixels)}. ` +
          'Send fewer or smaller images per request (downscale each to at most 1024 px on the long side).',
      );
    }
    this.#left -= pixels;
  }
}

/** 12192768 → "12.2 million" */
export const formatPixels = (pixels: number): string => `${(pixels / 1e6).toFixed(1)} million`;

/** The longest side an image of these proportions may have to hold at most `maxPixels` pixels. */
export function longSideFor(width: number, height: number, maxPixels: number): number {
  const long = Math.max(width, height);
  const short = Math.min(width, height);
  return Math.max(1, Math.floor(Math.sqrt((maxPixels * long) / short)));
}
