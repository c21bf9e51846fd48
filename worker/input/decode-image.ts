/**
 * PNG and JPEG bytes → upright RGBA within the decoding budget. The size is read from a validated header
 * and checked against the limits of decode-budget.ts before anything is decoded: PNGs through
 * png-structure.ts (CRCs, one IHDR first), JPEGs through jpeg-structure.ts. Baseline JPEGs are decoded at
 * reduced scale by our own decoder; the rest (progressive, CMYK) by jpeg-js under a smaller limit.
 */

import { convertIndexedToRgb, type DecodedPng, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { RgbaImage } from '../../core/preprocess.ts';
import { ApiError } from '../errors.ts';
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
import { checkPngStructure, isPngSignature, looksLikePng, type PngHeader } from './png-structure.ts';

export type ImageFormat = 'png' | 'jpeg';

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
 * Decodes a PNG or JPEG into upright RGBA after checking its header against the limits; takes its source
 * pixels from `budget` (a batch passes one budget for all its images). 422/413 problems for the rest.
 */
export function decodeImage(bytes: Uint8Array, budget: DecodeBudget = new DecodeBudget()): DecodedImage {
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
  budget.take(width * height);
  try {
    return decodeScaledJpeg(bytes, header, scale);
  } catch (error) {
    if (error instanceof JpegDecodeError && error.unsupported) return decodeFullSizeJpeg(bytes, header);
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

function decodePngWithinBudget(bytes: Uint8Array, budget: DecodeBudget): DecodedImage {
  const check = checkPngStructure(bytes);
  if (!check.ok) throw undecodable(check.reason);
  const { header } = check;
  const { width, height } = header;
  const pixels = width * height;
  if (pixels > MAX_PNG_PIXELS || header.inflatedBytes > MAX_PNG_INFLATED_BYTES) {
    // The same image as 8-bit RGBA: the common case a client can produce.
    const rgbaPixels = Math.min(MAX_PNG_PIXELS, Math.floor(MAX_PNG_INFLATED_BYTES / 4));
    throw tooLarge(
      `The PNG is ${width}×${height} at ${header.bitDepth} bits × ${header.channels} channels ` +
        `(${(header.inflatedBytes / 2 ** 20).toFixed(1)} MiB uncompressed); at most ${formatPixels(MAX_PNG_PIXELS)} ` +
        `pixels and ${MAX_PNG_INFLATED_BYTES / 2 ** 20} MiB uncompressed are accepted. Downscale it to at most ` +
        `${longSideFor(width, height, rgbaPixels)} px on the long side, use 8 bits per channel, or send a JPEG.`,
    );
  }
  budget.take(pixels);
  let png: DecodedPng;
  try {
    png = decodePng(bytes);
  } catch (error) {
    throw undecodable(
      `The PNG could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (png.width !== width || png.height !== height)
    throw undecodable('The PNG decoded to an unexpected size.');
  const data = pngToRgba(png, header);
  return { width, height, data, sourceWidth: width, sourceHeight: height };
}

/** Any PNG fast-png decodes (grey, grey+alpha, RGB, RGBA, palette; 1..16 bits) → 8-bit RGBA. */
function pngToRgba(png: DecodedPng, header: PngHeader): Uint8Array {
  const { width, height } = png;
  const count = width * height;
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const channels = png.palette[0]?.length ?? 3;
    return expandChannels(rgb, count, channels, 255);
  }
  // Already 8-bit RGBA: use the decoder's buffer as is.
  if (png.channels === 4 && png.depth === 8 && png.data instanceof Uint8Array) return png.data;
  let samples: ArrayLike<number> = png.data;
  let max = 2 ** png.depth - 1;
  if (png.depth < 8) {
    // Sub-byte grey samples arrive packed, each row padded to whole bytes.
    const rowBytes = Math.ceil((width * png.depth) / 8);
    const unpacked = new Uint8Array(count);
    const perByte = 8 / png.depth;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const byte = png.data[y * rowBytes + Math.floor(x / perByte)] as number;
        const shift = 8 - png.depth * ((x % perByte) + 1);
        unpacked[y * width + x] = (byte >> shift) & max;
      }
    }
    samples = unpacked;
  }
  if (png.depth === 16) max = 65535;
  if (png.channels !== header.channels)
    throw undecodable('The PNG decoded to an unexpected number of channels.');
  return expandChannels(samples, count, png.channels, max);
}

function expandChannels(
  samples: ArrayLike<number>,
  count: number,
  channels: number,
  max: number,
): Uint8Array {
  const rgba = new Uint8Array(count * 4);
  const scale = 255 / max;
  for (let i = 0; i < count; i++) {
    const s = i * channels;
    const o = i * 4;
    const first = (samples[s] as number) * scale;
    if (channels <= 2) {
      rgba[o] = rgba[o + 1] = rgba[o + 2] = first;
      rgba[o + 3] = channels === 2 ? (samples[s + 1] as number) * scale : 255;
    } else {
      rgba[o] = first;
      rgba[o + 1] = (samples[s + 1] as number) * scale;
      rgba[o + 2] = (samples[s + 2] as number) * scale;
      rgba[o + 3] = channels === 4 ? (samples[s + 3] as number) * scale : 255;
    }
  }
  return rgba;
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
