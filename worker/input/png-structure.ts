/**
 * PNG structure check before any pixel is inflated: the signature, IHDR first and only once with sane
 * fields, every chunk's CRC, a palette where one is needed, and at least one IDAT. A small file can declare
 * a huge image, or a second IHDR after a harmless first one, so the size is trusted only from a file that
 * passes all of this. Pure: bytes in, the header or a reason out.
 */

export interface PngHeader {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colourType: number;
  readonly interlaced: boolean;
  /** Samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA, 1 palette index. */
  readonly channels: number;
  /** Bytes of filtered scanlines the compressed data inflates to (all passes when interlaced). */
  readonly inflatedBytes: number;
}

export type PngCheck =
  | { readonly ok: true; readonly header: PngHeader }
  | { readonly ok: false; readonly reason: string };

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const isPngSignature = (bytes: Uint8Array): boolean =>
  bytes.length >= 8 && SIGNATURE.every((byte, i) => bytes[i] === byte);

/** Bytes that start like a PNG, even damaged (e.g. by a text-mode transfer that rewrote CR/LF). */
export const looksLikePng = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;

/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of bytes[start, end), as PNG computes it over a chunk's type and data. */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++)
    crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** Filtered-scanline bytes of a `width`×`height` image (one filter byte per row). */
const scanlineBytes = (width: number, height: number, bitsPerPixel: number): number =>
  width === 0 || height === 0 ? 0 : height * (1 + Math.ceil((width * bitsPerPixel) / 8));

/** Adam7 passes: x/y start and step (the decoder walks the same passes). */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/**
 * Checks the whole chunk structure and returns the header.
 * @example checkPngStructure(bytes) // { ok: true, header: { width: 32, height: 32, … } }
 */
export function checkPngStructure(bytes: Uint8Array): PngCheck {
  const fail = (reason: string): PngCheck => ({ ok: false, reason });
  if (!isPngSignature(bytes)) return fail('The PNG signature is damaged.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | null = null;
  let palette = false;
  let imageData = false;
  let offset = 8;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length)
      return fail(`The PNG is truncated inside a chunk header at byte ${offset}.`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (length > 0x7fffffff || dataEnd + 4 > bytes.length)
      return fail(`The PNG's ${type} chunk runs past the end of the file.`);
    if (!/^[A-Za-z]{4}$/.test(type))
      return fail(`The PNG has a chunk with an invalid type at byte ${offset}.`);
    if (crc32(bytes, offset + 4, dataEnd) !== view.getUint32(dataEnd))
      return fail(`The PNG's ${type} chunk fails its CRC check: the file is damaged.`);
    if (header === null && type !== 'IHDR') return fail('The PNG does not start with an IHDR chunk.');
    if (type === 'IHDR') {
      if (header !== null) return fail('The PNG has more than one IHDR chunk.');
      if (length !== 13) return fail('The PNG has an IHDR chunk of the wrong length.');
      const width = view.getUint32(dataStart);
      const height = view.getUint32(dataStart + 4);
      const bitDepth = bytes[dataStart + 8] as number;
      const colourType = bytes[dataStart + 9] as number;
      const interlace = bytes[dataStart + 12] as number;
      if (width < 1 || height < 1 || width > 0x7fffffff || height > 0x7fffffff)
        return fail(`The PNG declares a ${width}×${height} image.`);
      if (!(colourType in DEPTHS))
        return fail(`The PNG declares colour type ${colourType}, which does not exist.`);
      if (!DEPTHS[colourType]?.includes(bitDepth))
        return fail(
          `The PNG declares bit depth ${bitDepth} for colour type ${colourType}, which is not allowed.`,
        );
      if (bytes[dataStart + 10] !== 0 || bytes[dataStart + 11] !== 0 || interlace > 1)
        return fail('The PNG declares an unknown compression, filter or interlace method.');
      const channels = CHANNELS[colourType] as number;
      const bitsPerPixel = channels * bitDepth;
      const inflatedBytes =
        interlace === 0
          ? scanlineBytes(width, height, bitsPerPixel)
          : ADAM7.reduce(
              (sum, [x0, y0, dx, dy]) =>
                sum +
                scanlineBytes(Math.ceil((width - x0) / dx), Math.ceil((height - y0) / dy), bitsPerPixel),
              0,
            );
      header = { width, height, bitDepth, colourType, interlaced: interlace === 1, channels, inflatedBytes };
    } else if (type === 'PLTE') {
      if (imageData) return fail('The PNG has its palette after the image data.');
      palette = true;
    } else if (type === 'IDAT') {
      imageData = true;
    } else if (type === 'IEND') {
      break;
    }
    offset = dataEnd + 4;
  }
  if (header === null) return fail('The PNG has no IHDR chunk.');
  if (!imageData) return fail('The PNG has no image data (IDAT chunk).');
  if (header.colourType === 3 && !palette) return fail('The palette PNG has no palette (PLTE chunk).');
  return { ok: true, header };
}
