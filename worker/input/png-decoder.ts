/**
 * PNG → 8-bit RGBA with a known memory cost: the scanlines are inflated (streaming, in small steps) into
 * one buffer of exactly the size the validated header implies, unfiltered in place and converted straight
 * into the RGBA output. Peak: the inflated bytes plus the output, nothing else of image size (a general
 * decoder holds the inflated data two or three times over, plus its garbage). Every colour type and bit depth, palettes,
 * tRNS transparency and Adam7 interlacing.
 */

import { ADAM7, type PngHeader } from './png-structure.ts';

class PngDecodeError extends Error {
  override readonly name = 'PngDecodeError';
}

/** Compressed bytes given to the inflater at a time: bounds what one step can produce (×1032 at most). */
const INFLATE_STEP = 4096;

interface Chunks {
  readonly idat: Uint8Array[];
  palette: Uint8Array | null;
  transparency: Uint8Array | null;
}

/** The IDAT pieces (views, not copies), the palette and tRNS; the structure was checked before. */
function readChunks(bytes: Uint8Array): Chunks {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Chunks = { idat: [], palette: null, transparency: null };
  for (let offset = 8; offset + 12 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const data = bytes.subarray(offset + 8, offset + 8 + length);
    if (type === 'IDAT') chunks.idat.push(data);
    else if (type === 'PLTE') chunks.palette = data;
    else if (type === 'tRNS') chunks.transparency = data;
    else if (type === 'IEND') break;
    offset += 12 + length;
  }
  return chunks;
}

/**
 * Inflates the IDAT stream into exactly `size` bytes; more or less data is an error. The platform's
 * native inflater (DecompressionStream, in workerd and Node alike) is fed a few KiB at a time and read as
 * it goes, so a stream that inflates far beyond the header's size is stopped early and only a few output
 * chunks exist at any moment.
 */
async function inflateExactly(idat: readonly Uint8Array[], size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  const stream = new DecompressionStream('deflate');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const feeding = (async () => {
    for (const piece of idat) {
      for (let at = 0; at < piece.length; at += INFLATE_STEP)
        await writer.write(piece.slice(at, at + INFLATE_STEP));
    }
    await writer.close();
  })();
  // Failures surface through the reader; the feeder only has to stop.
  feeding.catch(() => {});
  let written = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (written + value.length > size)
        throw new PngDecodeError('The PNG holds more image data than its header declares.');
      out.set(value, written);
      written += value.length;
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    if (error instanceof PngDecodeError) throw error;
    throw new PngDecodeError(
      `The PNG's image data is not valid zlib: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (written < size) throw new PngDecodeError('The PNG holds less image data than its header declares.');
  return out;
}

/** Undoes the five PNG filters of `rows` rows of `rowBytes` (plus the filter byte) starting at `start`, in place. */
function unfilter(
  raw: Uint8Array,
  start: number,
  rows: number,
  rowBytes: number,
  bytesPerPixel: number,
): void {
  const stride = rowBytes + 1;
  for (let y = 0; y < rows; y++) {
    const row = start + y * stride + 1;
    const above = row - stride;
    const filter = raw[row - 1] as number;
    const hasAbove = y > 0;
    switch (filter) {
      case 0:
        break;
      case 1:
        for (let i = bytesPerPixel; i < rowBytes; i++)
          raw[row + i] = ((raw[row + i] as number) + (raw[row + i - bytesPerPixel] as number)) & 255;
        break;
      case 2:
        if (hasAbove)
          for (let i = 0; i < rowBytes; i++)
            raw[row + i] = ((raw[row + i] as number) + (raw[above + i] as number)) & 255;
        break;
      case 3:
        for (let i = 0; i < rowBytes; i++) {
          const left = i >= bytesPerPixel ? (raw[row + i - bytesPerPixel] as number) : 0;
          const up = hasAbove ? (raw[above + i] as number) : 0;
          raw[row + i] = ((raw[row + i] as number) + ((left + up) >> 1)) & 255;
        }
        break;
      case 4:
        for (let i = 0; i < rowBytes; i++) {
          const a = i >= bytesPerPixel ? (raw[row + i - bytesPerPixel] as number) : 0;
          const b = hasAbove ? (raw[above + i] as number) : 0;
          const c = hasAbove && i >= bytesPerPixel ? (raw[above + i - bytesPerPixel] as number) : 0;
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          const predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          raw[row + i] = ((raw[row + i] as number) + predictor) & 255;
        }
        break;
      default:
        throw new PngDecodeError(`The PNG uses filter type ${filter}, which does not exist.`);
    }
  }
}

/**
 * Decodes a PNG whose structure checkPngStructure accepted into 8-bit RGBA.
 * @example decodePng(bytes, header).length === header.width * header.height * 4
 */
export async function decodePng(bytes: Uint8Array, header: PngHeader): Promise<Uint8Array> {
  const { width, height, bitDepth, colourType, channels } = header;
  const chunks = readChunks(bytes);
  const raw = await inflateExactly(chunks.idat, header.inflatedBytes);
  const rgba = new Uint8Array(width * height * 4);
  const bitsPerPixel = channels * bitDepth;
  const bytesPerPixel = Math.max(1, bitsPerPixel >> 3);
  const palette = chunks.palette;
  const paletteAlpha = colourType === 3 ? chunks.transparency : null;
  // tRNS on grey or RGB: one colour (in the image's own bit depth) is fully transparent.
  const key = colourType === 0 || colourType === 2 ? chunks.transparency : null;
  const keyAt = (i: number): number =>
    key === null ? -1 : ((key[2 * i] as number) << 8) | (key[2 * i + 1] as number);
  const keyGrey = keyAt(0);
  const keyRed = keyAt(0);
  const keyGreen = keyAt(1);
  const keyBlue = keyAt(2);
  const maxSample = 2 ** bitDepth - 1;
  const toByte = bitDepth === 16 ? 1 / 257 : 255 / maxSample;

  /** Sample `c` of pixel `px` in the row starting at `row`, in the image's own depth. */
  const sampleAt = (row: number, px: number, c: number): number => {
    if (bitDepth === 8) return raw[row + px * channels + c] as number;
    if (bitDepth === 16) {
      const at = row + (px * channels + c) * 2;
      return ((raw[at] as number) << 8) | (raw[at + 1] as number);
    }
    const bit = px * bitDepth; // sub-byte depths have one channel
    return ((raw[row + (bit >> 3)] as number) >> (8 - bitDepth - (bit & 7))) & maxSample;
  };

  const passes = header.interlaced ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let start = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const rowBytes = Math.ceil((passWidth * bitsPerPixel) / 8);
    unfilter(raw, start, passHeight, rowBytes, bytesPerPixel);
    for (let py = 0; py < passHeight; py++) {
      const row = start + py * (rowBytes + 1) + 1;
      const y = y0 + py * dy;
      for (let px = 0; px < passWidth; px++) {
        const o = (y * width + x0 + px * dx) * 4;
        if (colourType === 3) {
          const index = sampleAt(row, px, 0);
          if (palette === null || 3 * index + 2 >= palette.length)
            throw new PngDecodeError('The PNG refers to a palette entry that does not exist.');
          rgba[o] = palette[3 * index] as number;
          rgba[o + 1] = palette[3 * index + 1] as number;
          rgba[o + 2] = palette[3 * index + 2] as number;
          rgba[o + 3] =
            paletteAlpha !== null && index < paletteAlpha.length ? (paletteAlpha[index] as number) : 255;
        } else if (channels <= 2) {
          const grey = sampleAt(row, px, 0);
          rgba[o] = rgba[o + 1] = rgba[o + 2] = grey * toByte + 0.5;
          rgba[o + 3] = channels === 2 ? sampleAt(row, px, 1) * toByte + 0.5 : grey === keyGrey ? 0 : 255;
        } else {
          const red = sampleAt(row, px, 0);
          const green = sampleAt(row, px, 1);
          const blue = sampleAt(row, px, 2);
          rgba[o] = red * toByte + 0.5;
          rgba[o + 1] = green * toByte + 0.5;
          rgba[o + 2] = blue * toByte + 0.5;
          rgba[o + 3] =
            channels === 4
              ? sampleAt(row, px, 3) * toByte + 0.5
              : red === keyRed && green === keyGreen && blue === keyBlue
                ? 0
                : 255;
        }
      }
    }
    start += passHeight * (rowBytes + 1);
  }
  return rgba;
}
