/**
 * PNG and JPEG bytes → upright RGBA within the decoding budget. The size is read from a validated header
 * and checked against the limits of decode-budget.ts before anything is decoded: PNGs through
 * png-structure.ts (CRCs, one IHDR first), JPEGs through jpeg-structure.ts. Baseline JPEGs are decoded at
 * reduced scale by our own decoder; the rest (progressive, CMYK) by jpeg-js under a smaller limit.
 */

import decodeJpeg from 'jpeg-js/lib/decoder.js';
import type { RgbaImage } from '../../core/preprocess.ts';
import { ApiError } from '../api-error.ts';
import {
  DECODED_LONG_SIDE_MIN,
  DecodeBudget,
  formatPixels,
  longSideFor,
  MAX_FULL_SIZE_JPEG_PIXELS,
  MAX_JPEG_PIXELS,
  MAX_JPEG_SIDE,
  MAX_PNG_INFLATED_BYTES,
  MAX_PNG_PIXELS,
} from './decode-budget.ts';
import { swapsSides, uprightIndex } from './exif-orientation.ts';
import { decodeScaledJpeg, JpegDecodeError, type JpegScale } from './jpeg-scaled-decoder.ts';
import { isJpeg, type JpegHeader, readJpegHeader } from './jpeg-structure.ts';
import { decodePng } from './png-decoder.ts';
import { checkPngStructure, isPngSignature, looksLikePng } from './png-structure.ts';

/** An upright image, possibly reduced, with the upright size of the source it came from. */
export interface DecodedImage extends RgbaImage {
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

const undecodable = (detail: string): ApiError =>
  new ApiError(422, 'image_undecodable', 'Image not decodable', detail);

const tooLarge = (detail: string): ApiError =>
  new ApiError(422, 'image_too_large', 'Image too large', detail);

/**
 * The JPEG reduction: the largest of 1/2, 1/4, 1/8 that keeps the long side at least
 * DECODED_LONG_SIDE_MIN, or 1 for images already shorter than twice that.
 */
export function jpegScaleFor(width: number, height: number): JpegScale {
  const long = Math.max(width, height);
  let scale: JpegScale = 1;
  while (scale < 8 && Math.ceil(long / (scale * 2)) >= DECODED_LONG_SIDE_MIN)
    scale = (scale * 2) as JpegScale;
  return scale;
}

/**
 * Decodes a PNG or JPEG into upright RGBA after checking its header against the limits; takes its decoded
 * pixels from `budget` (a batch passes one budget for all its images). 422/413 problems for the rest.
 */
export async function decodeImage(
  bytes: Uint8Array,
  budget: DecodeBudget = new DecodeBudget(),
): Promise<DecodedImage> {
  if (bytes.length === 0) throw undecodable('The image is empty.');
  if (isJpeg(bytes)) return decodeJpegWithinBudget(bytes, budget);
  if (isPngSignature(bytes) || looksLikePng(bytes)) return decodePngWithinBudget(bytes, budget);
  throw undecodable('The bytes are neither a PNG nor a JPEG image.');
}

function decodeJpegWithinBudget(bytes: Uint8Array, budget: DecodeBudget): DecodedImage {
  const header = readJpegHeader(bytes);
  if (header === null) throw undecodable('The JPEG ends or breaks before its frame header.');
  const { width, height } = header;
  if (width < 1 || height < 1) throw undecodable(`The JPEG header declares a ${width}×${height} image.`);
  if (width * height > MAX_JPEG_PIXELS || Math.max(width, height) > MAX_JPEG_SIDE) {
    const side = Math.min(MAX_JPEG_SIDE, longSideFor(width, height, MAX_JPEG_PIXELS));
    throw tooLarge(
      `The JPEG is ${width}×${height} (${formatPixels(width * height)} pixels); at most ` +
        `${formatPixels(MAX_JPEG_PIXELS)} pixels and ${MAX_JPEG_SIDE} px a side are accepted. ` +
        `Downscale it to at most ${side} px on the long side.`,
    );
  }
  const scale = jpegScaleFor(width, height);
  budget.take(Math.ceil(width / scale) * Math.ceil(height / scale));
  try {
    return decodeScaledJpeg(bytes, header, scale);
  } catch (error) {
    if (error instanceof JpegDecodeError && error.unsupported) {
      // Decoded at full size: the rest of its pixels come out of the budget too.
      budget.take(width * height - Math.ceil(width / scale) * Math.ceil(height / scale));
      return decodeFullSizeJpeg(bytes, header);
    }
    throw undecodable(
      `The JPEG could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Progressive, CMYK and one-scan-per-component JPEGs: jpeg-js at full size, under a smaller limit. */
function decodeFullSizeJpeg(bytes: Uint8Array, header: JpegHeader): DecodedImage {
  const { width, height } = header;
  const kind = header.process === 'progressive' ? 'progressive JPEG' : 'JPEG of this kind';
  if (header.process === 'unsupported')
    throw undecodable(
      'The JPEG uses a coding process other than baseline or progressive Huffman (e.g. lossless or arithmetic); save it as a baseline JPEG.',
    );
  if (width * height > MAX_FULL_SIZE_JPEG_PIXELS) {
    throw tooLarge(
      `The image is a ${kind} of ${width}×${height} pixels; such files are decoded at full size, so at most ` +
        `${formatPixels(MAX_FULL_SIZE_JPEG_PIXELS)} pixels are accepted. Save it as a baseline (non-progressive) ` +
        `JPEG, or downscale it to at most ${longSideFor(width, height, MAX_FULL_SIZE_JPEG_PIXELS)} px on the long side.`,
    );
  }
  let image: RgbaImage;
  try {
    const jpeg = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_FULL_SIZE_JPEG_PIXELS / 1e6,
      // Coefficients, component planes and the RGBA output of 2.5 MP: about 30 MB.
      maxMemoryUsageInMB: 40,
    });
    image = { width: jpeg.width, height: jpeg.height, data: jpeg.data };
  } catch (error) {
    throw undecodable(
      `The JPEG could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (image.width !== width || image.height !== height || image.data.length < width * height * 4)
    throw undecodable('The JPEG decoded to an unexpected size.');
  return orient(image, header.orientation);
}

/** Applies an EXIF orientation to an image decoded as stored. */
function orient(image: RgbaImage, orientation: number): DecodedImage {
  const { width, height, data } = image;
  const swap = swapsSides(orientation);
  const uprightWidth = swap ? height : width;
  const uprightHeight = swap ? width : height;
  if (orientation === 1) return { width, height, data, sourceWidth: width, sourceHeight: height };
  const target = uprightIndex(orientation, width, height);
  const upright = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * 4;
      upright.set(data.subarray(from, from + 4), target(x, y) * 4);
    }
  }
  return {
    width: uprightWidth,
    height: uprightHeight,
    data: upright,
    sourceWidth: uprightWidth,
    sourceHeight: uprightHeight,
  };
}

async function decodePngWithinBudget(bytes: Uint8Array, budget: DecodeBudget): Promise<DecodedImage> {
  const check = checkPngStructure(bytes);
  if (!check.ok) throw undecodable(check.reason);
  const { header } = check;
  const { width, height } = header;
  const pixels = width * height;
  if (pixels > MAX_PNG_PIXELS || header.inflatedBytes > MAX_PNG_INFLATED_BYTES) {
    // Suggest the size of the same picture as 8-bit RGBA: what any client can produce.
    const rgbaPixels = Math.min(MAX_PNG_PIXELS, Math.floor(MAX_PNG_INFLATED_BYTES / 4));
    throw tooLarge(
      `The PNG is ${width}×${height} at ${header.bitDepth} bits × ${header.channels} channels ` +
        `(${(header.inflatedBytes / 2 ** 20).toFixed(1)} MiB uncompressed); at most ${formatPixels(MAX_PNG_PIXELS)} ` +
        `pixels and ${MAX_PNG_INFLATED_BYTES / 2 ** 20} MiB uncompressed are accepted. Downscale it to at most ` +
        `${longSideFor(width, height, rgbaPixels)} px on the long side, use 8 bits per channel, or send a JPEG.`,
    );
  }
  budget.take(pixels);
  try {
    return { width, height, data: await decodePng(bytes, header), sourceWidth: width, sourceHeight: height };
  } catch (error) {
    throw undecodable(
      `The PNG could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Bytes of a base64 image, with or without a `data:` URL prefix. */
export function decodeBase64Image(text: string): Uint8Array {
  const payload = text.replace(/^data:[^,]{0,100},/, '').replace(/\s+/g, '');
  if (payload.length === 0) throw undecodable('The image string is empty.');
  let binary: string;
  try {
    binary = atob(payload);
  } catch {
    throw undecodable('The image string is not valid base64.');
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
