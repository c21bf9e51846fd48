/**
 * PNG and JPEG bytes → RGBA, with the size limits enforced from the file header before any pixel is
 * decoded (a small file can declare a huge image). Pure JS decoders (fast-png, jpeg-js) that run in workerd.
 */

import { convertIndexedToRgb, type DecodedPng, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import type { RgbaImage } from '../../core/preprocess.ts';
import { ApiError } from '../errors.ts';

export const MAX_IMAGE_SIDE = 4096;

export type ImageFormat = 'png' | 'jpeg';

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const undecodable = (detail: string): ApiError =>
  new ApiError(422, 'image_undecodable', 'Image not decodable', detail);

/** Format and dimensions from the first bytes, or null when the bytes are neither PNG nor JPEG. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) {
    return { format: 'png', width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    // Walk the marker segments up to the first start-of-frame, which holds the size.
    let offset = 2;
    while (offset + 9 <= bytes.length) {
      if (bytes[offset] !== 0xff) return null;
      const marker = bytes[offset + 1] as number;
      if (marker === 0xff) {
        offset += 1;
        continue;
      }
      const isStartOfFrame =
        marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
      if (isStartOfFrame)
        return { format: 'jpeg', height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
      offset += 2 + view.getUint16(offset + 2);
    }
    return null;
  }
  return null;
}

/** Checks the header: a PNG or JPEG of 1..4096 pixels a side. */
export function checkImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw undecodable('The image is empty.');
  const header = readImageHeader(bytes);
  if (header === null) throw undecodable('The bytes are neither a PNG nor a JPEG image.');
  if (header.width < 1 || header.height < 1)
    throw undecodable(`The ${header.format} header declares a ${header.width}×${header.height} image.`);
  if (header.width > MAX_IMAGE_SIDE || header.height > MAX_IMAGE_SIDE) {
    throw new ApiError(
      422,
      'image_too_large',
      'Image too large',
      `The image is ${header.width}×${header.height}; at most ${MAX_IMAGE_SIDE}×${MAX_IMAGE_SIDE} pixels are accepted.`,
    );
  }
  return header;
}

/** Any PNG fast-png decodes (grey, grey+alpha, RGB, RGBA, palette; 1..16 bits) → 8-bit RGBA. */
function pngToRgba(png: DecodedPng): Uint8Array {
  const { width, height } = png;
  const count = width * height;
  if (png.palette !== undefined) {
    const rgb = convertIndexedToRgb(png);
    const channels = png.palette[0]?.length ?? 3;
    return expandChannels(rgb, count, channels, 255);
  }
  // Already 8-bit RGBA: use the decoder's buffer as is (a 4096×4096 image is 64 MB).
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

/** Decodes a PNG or JPEG into RGBA after checking its header; 422 problems for anything unusable. */
export function decodeImage(bytes: Uint8Array): RgbaImage {
  const header = checkImageHeader(bytes);
  let image: RgbaImage;
  try {
    if (header.format === 'png') {
      const png = decodePng(bytes);
      image = { width: png.width, height: png.height, data: pngToRgba(png) };
    } else {
      const jpeg = decodeJpeg(bytes, {
        useTArray: true,
        formatAsRGBA: true,
        maxResolutionInMP: (MAX_IMAGE_SIDE * MAX_IMAGE_SIDE) / 1e6,
        maxMemoryUsageInMB: 256,
      });
      image = { width: jpeg.width, height: jpeg.height, data: jpeg.data };
    }
  } catch (error) {
    throw undecodable(
      `The ${header.format} image could not be decoded: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (
    image.width !== header.width ||
    image.height !== header.height ||
    image.data.length < image.width * image.height * 4
  ) {
    throw undecodable(`The ${header.format} image decoded to an unexpected size.`);
  }
  return image;
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
