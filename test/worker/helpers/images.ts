/** Test pictures: MNIST digits (from the Node side of the config) encoded as PNG and JPEG inside workerd. */

import { encode as encodeJpegImage } from 'jpeg-js';
import { inject } from 'vitest';
import { PIXEL_COUNT } from '../../../core/model-spec.ts';
import type { RgbaImage } from '../../../core/preprocess.ts';
import { pngBytes } from '../../fixtures/photos/photo-bytes.ts';
import { fromBase64 } from './model-export.ts';

export interface Digits {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Digit `index` as 784 bytes, ink = 255. */
  at(index: number): Uint8Array;
}

let digits: Digits | undefined;

export function mnistDigits(): Digits {
  if (digits === undefined) {
    const pixels = fromBase64(inject('mnistPixels'));
    const labels = fromBase64(inject('mnistLabels'));
    digits = {
      pixels,
      labels,
      count: labels.length,
      at: (index) => pixels.subarray(index * PIXEL_COUNT, (index + 1) * PIXEL_COUNT),
    };
  }
  return digits;
}

export const encodePng = pngBytes;

export const encodeJpeg = (image: RgbaImage, quality = 90): Uint8Array =>
  new Uint8Array(
    encodeJpegImage({ width: image.width, height: image.height, data: Uint8Array.from(image.data) }, quality)
      .data,
  );

export const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
};
