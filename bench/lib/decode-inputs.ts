/**
 * Seeded worst cases for the decoding budget: the largest accepted image of each kind (a 12 MP phone JPEG,
 * PNGs at the inflated-size and pixel limits), a JPEG whose header claims the largest accepted size over
 * a few bytes of data, and a 16-bit 4096×4096 PNG bomb. Used by test/unit/decode-memory.test.ts and
 * `npm run bench -- --only decode`; the same seed gives the same bytes.
 */

import { deflateSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { MAX_JPEG_PIXELS, MAX_PNG_INFLATED_BYTES, MAX_PNG_PIXELS } from '../../worker/input/decode-budget.ts';
import { crc32 } from '../../worker/input/png-structure.ts';
import { paperPhoto } from './photo-pixels.ts';

export { paperPhoto };

/**
 * A 4032×3024 (12.2 MP) phone-camera JPEG, quality 85 (2.8 MB); at quality 94 the same picture takes
 * 4.9 MB, about the largest a phone sends.
 */
export function phoneJpeg(seed = 7, width = 4032, height = 3024, quality = 85): Uint8Array {
  const rgba = paperPhoto(width, height, 4, seed);
  return new Uint8Array(encodeJpeg({ width, height, data: rgba }, quality).data);
}

/** The largest square PNG of `channels` × `depth` bits that the limits accept. */
export function largestPng(channels: 1 | 3 | 4, depth: 8 | 16, seed = 11): Uint8Array {
  const bytesPerPixel = (channels * depth) / 8;
  const pixels = Math.min(MAX_PNG_PIXELS, Math.floor(MAX_PNG_INFLATED_BYTES / bytesPerPixel) - 4096);
  const side = Math.floor(Math.sqrt(pixels));
  const samples = paperPhoto(side, side, channels, seed);
  const data = depth === 8 ? samples : Uint16Array.from(samples, (v) => v * 257);
  return encodePng({ width: side, height: side, data, channels, depth });
}

function pngChunk(type: string, data: Uint8Array): Uint8Array {
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk, 4, 8 + data.length));
  return chunk;
}

const ihdr = (width: number, height: number, depth: number, colourType: number): Uint8Array => {
  const data = new Uint8Array(13);
  const view = new DataView(data.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  data[8] = depth;
  data[9] = colourType;
  return pngChunk('IHDR', data);
};

/** A PNG made of the given chunks, with valid CRCs: for structures no encoder writes. */
function pngFromChunks(chunks: readonly Uint8Array[]): Uint8Array {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const length = chunks.reduce((sum, chunk) => sum + chunk.length, 8);
  const bytes = new Uint8Array(length);
  bytes.set(signature);
  let offset = 8;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/**
 * A 16-bit RGBA 4096×4096 PNG whose rows are all zero: about 130 KB of deflate that inflates to 128 MiB
 * (1 GB of work for a decoder that takes it).
 */
export function sixteenBitBomb(side = 4096): Uint8Array {
  const row = 1 + side * 8;
  // Deflate row by row into one stream without ever holding the 128 MiB.
  const zero = new Uint8Array(row * 64);
  const parts: Uint8Array[] = [];
  for (let y = 0; y < side; y += 64) parts.push(zero);
  const idat = deflateSync(Buffer.concat(parts), { level: 9 });
  return pngFromChunks([
    ihdr(side, side, 16, 6),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A valid 1×1 grey PNG followed by a second IHDR declaring 10000×10000. */
export function doubleIhdrPng(): Uint8Array {
  const idat = deflateSync(Uint8Array.from([0, 255]));
  return pngFromChunks([
    ihdr(1, 1, 8, 0),
    ihdr(10000, 10000, 8, 0),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A grey PNG of `side`² whose rows are all white: a few KB declaring `side`² pixels. */
export function blankPng(side: number): Uint8Array {
  const row = new Uint8Array(1 + side).fill(255);
  row[0] = 0;
  const rows: Uint8Array[] = [];
  for (let y = 0; y < side; y++) rows.push(row);
  return pngFromChunks([
    ihdr(side, side, 8, 0),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** A grey PNG of `side`² with a dark ring on white: valid, and a few KB for 4 Mi pixels. */
export function ringPng(side: number): Uint8Array {
  const rows: Uint8Array[] = [];
  const radius = side / 4;
  for (let y = 0; y < side; y++) {
    const row = new Uint8Array(1 + side).fill(255);
    row[0] = 0;
    for (let x = 0; x < side; x++)
      if (Math.abs(Math.hypot(x - side / 2, y - side / 2) - radius) < side / 40) row[1 + x] = 0;
    rows.push(row);
  }
  return pngFromChunks([
    ihdr(side, side, 8, 0),
    pngChunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

/** `jpeg` with the frame header rewritten to claim `width`×`height`: the image data stays that of the original. */
export function jpegClaiming(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const bytes = jpeg.slice();
  for (let at = 2; at + 9 < bytes.length; ) {
    const marker = bytes[at + 1] as number;
    if (marker === 0xc0 || marker === 0xc1 || marker === 0xc2) {
      bytes[at + 5] = height >> 8;
      bytes[at + 6] = height & 255;
      bytes[at + 7] = width >> 8;
      bytes[at + 8] = width & 255;
      return bytes;
    }
    at += 2 + (((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number));
  }
  throw new Error('no frame header found');
}

/** A small JPEG claiming the largest accepted size (8192×8192): the decoder must not trust the header. */
export function jpegHeaderBomb(): Uint8Array {
  const side = 64;
  const small = encodeJpeg({ width: side, height: side, data: paperPhoto(side, side, 4, 3) }, 80).data;
  const claimed = Math.floor(Math.sqrt(MAX_JPEG_PIXELS));
  return jpegClaiming(new Uint8Array(small), claimed, claimed);
}

/** `jpeg` with an EXIF APP1 segment carrying `orientation` inserted after SOI. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number, littleEndian = false): Uint8Array {
  const tiff = new Uint8Array(26);
  const view = new DataView(tiff.buffer);
  tiff.set(littleEndian ? [0x49, 0x49] : [0x4d, 0x4d]);
  view.setUint16(2, 42, littleEndian);
  view.setUint32(4, 8, littleEndian);
  view.setUint16(8, 1, littleEndian); // one entry
  view.setUint16(10, 0x0112, littleEndian);
  view.setUint16(12, 3, littleEndian); // SHORT
  view.setUint32(14, 1, littleEndian);
  view.setUint16(18, orientation, littleEndian);
  const body = new Uint8Array([...new TextEncoder().encode('Exif\0\0'), ...tiff]);
  const segment = new Uint8Array(4 + body.length);
  segment.set([0xff, 0xe1, (body.length + 2) >> 8, (body.length + 2) & 255]);
  segment.set(body, 4);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

/**
 * A `POST /api/read` bitmap body of `width`×`height` that is all ink: one mark as large as a bitmap may be,
 * the most a line can give the segmenter to cut (every column a candidate seam, every candidate its area).
 */
export function fullInkBitmapJson(width: number, height: number): Uint8Array {
  const pixels = new Array<number>(width * height).fill(1);
  return new TextEncoder().encode(JSON.stringify({ width, height, pixels }));
}
