/**
 * A baseline (sequential Huffman) JPEG decoder that decodes at 1/1, 1/2, 1/4 or 1/8 of the stored size,
 * as libjpeg's `scale_num/scale_denom` does: each 8×8 block goes through an N×N inverse DCT of its N×N
 * lowest-frequency coefficients (N = 8/scale; DC only at 1/8), so a 12 MP photo never exists at full
 * resolution. Blocks are written into one MCU row of component samples at a time, which is colour-converted
 * straight into the upright RGBA output (EXIF orientation applied while writing). Memory: the input, the
 * output and a few rows of samples; never the whole image's coefficients.
 *
 * Covers 8-bit baseline and extended-Huffman frames with 1 or 3 components in one interleaved scan, any
 * sampling factors (4:4:4, 4:2:2, 4:2:0, …) and restart markers. Other files are the caller's business.
 */

import type { RgbaImage } from '../../core/preprocess.ts';
import { swapsSides, uprightIndex } from './exif-orientation.ts';
import type { JpegHeader } from './jpeg-structure.ts';

export type JpegScale = 1 | 2 | 4 | 8;

export class JpegDecodeError extends Error {
  override readonly name = 'JpegDecodeError';
  /** True when the file may be fine but uses a feature this decoder leaves to a full-size decoder. */
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** Natural (row-major) index of the k-th coefficient in zigzag order. */
const ZIGZAG = Uint8Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
  53, 60, 61, 54, 47, 55, 62, 63,
]);

/** Zero bytes fed past the data's end before the file counts as truncated. */
const MAX_PADDING_BYTES = 64;

/** Codes up to this many bits are decoded by one table lookup; longer ones by comparing code ranges. */
const LOOKUP_BITS = 10;
const LOOKUP_MASK = (1 << LOOKUP_BITS) - 1;

interface HuffmanTable {
  /** Indexed by the next LOOKUP_BITS bits: (code length << 8) | symbol, or 0 for a longer code. */
  readonly lookup: Uint16Array;
  /**
   * AC tables only, indexed like `lookup`: a whole coefficient, code and value bits, in one entry (as
   * stb_image's fast_ac): bits 0–4 the bits it takes, 5–8 the value's size, 9–13 the zero run + 1. 0 for
   * end of block, sixteen zeros, a longer code, or code and value together longer than 16 bits: those
   * take the general path. 16 bits need no refill: the buffer holds at least 16 before each symbol, and
   * reading code and value apart would not have refilled between them either.
   */
  readonly fastAc: Int32Array | null;
  /** Largest code of each length (1..16), -1 when none; and where its symbols start. */
  readonly maxCode: Int32Array;
  readonly valueOffset: Int32Array;
  readonly symbols: Uint8Array;
}

function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array, ac: boolean): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(17).fill(-1);
  const valueOffset = new Int32Array(17);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    const count = counts[length - 1] as number;
    valueOffset[length] = index - code;
    for (let i = 0; i < count; i++, index++, code++) {
      if (length <= LOOKUP_BITS) {
        const shift = LOOKUP_BITS - length;
        const entry = (length << 8) | (symbols[index] as number);
        for (let fill = 0; fill < 1 << shift; fill++) lookup[(code << shift) | fill] = entry;
      }
    }
    if (count > 0) maxCode[length] = code - 1;
    if (code > 1 << length) throw new JpegDecodeError('A Huffman table has more codes than bits allow.');
    code <<= 1;
  }
  let fastAc: Int32Array | null = null;
  if (ac) {
    fastAc = new Int32Array(1 << LOOKUP_BITS);
    for (let i = 0; i < fastAc.length; i++) {
      const entry = lookup[i] as number;
      const size = entry & 15;
      const bits = (entry >> 8) + size;
      if (entry !== 0 && size !== 0 && bits <= 16)
        fastAc[i] = bits | (size << 5) | ((((entry >> 4) & 15) + 1) << 9);
    }
  }
  return { lookup, fastAc, maxCode, valueOffset, symbols };
}

/**
 * N×N inverse DCT weights: out[x] = Σ_u weight[x][u] · F[u], with C(0) = 1/√2 and the 1/2 of the 8-point
 * transform kept, so the mean level (F0/8) is the same at every scale.
 */
function idctWeights(n: number): Float32Array {
  const weights = new Float32Array(n * n);
  for (let x = 0; x < n; x++) {
    for (let u = 0; u < n; u++) {
      const c = u === 0 ? Math.SQRT1_2 : 1;
      weights[x * n + u] = (c * Math.cos(((2 * x + 1) * u * Math.PI) / (2 * n))) / 2;
    }
  }
  return weights;
}

interface ComponentState {
  readonly h: number;
  readonly v: number;
  readonly quant: Int32Array;
  dcTable: HuffmanTable | null;
  acTable: HuffmanTable | null;
  predictor: number;
  /** One MCU row of samples at the output scale. */
  readonly rowSamples: Uint8Array;
  readonly rowStride: number;
  /** For each output column, its column in rowSamples; for each output row in an MCU row, its row. */
  readonly columnOf: Int32Array;
  readonly rowOf: Int32Array;
}

/**
 * The entropy-coded data: a bit buffer over the bytes after SOS, unstuffing FF00 and stopping at markers.
 * Plain functions over this one object, not closures, so the hot loops keep the state in locals.
 */
interface BitReader {
  readonly bytes: Uint8Array;
  position: number;
  /** The low `count` bits of `buffer` are unread. */
  buffer: number;
  count: number;
  /**
   * Zero bytes fed past the end of the data: a few are normal look-ahead, many mean the file lies about its
   * size (or is truncated), and decoding on would cost time for nothing. Refills happen where they always
   * did (before a symbol when under 16 bits are left, before value bits when too few), so this counts
   * the same on every file.
   */
  padding: number;
}

/** Tops the buffer up to more than 24 bits, a byte at a time. */
function fill(reader: BitReader): void {
  const bytes = reader.bytes;
  let position = reader.position;
  let buffer = reader.buffer;
  let count = reader.count;
  while (count <= 24) {
    let byte = 0;
    if (position < bytes.length) {
      byte = bytes[position] as number;
      if (byte === 0xff) {
        if (bytes[position + 1] === 0) position += 2;
        else {
          byte = 0; // a marker: feed zeros, leave it for the restart handling
          reader.padding++;
        }
      } else position++;
    } else reader.padding++;
    buffer = (buffer << 8) | byte;
    count += 8;
  }
  reader.position = position;
  reader.buffer = buffer;
  reader.count = count;
}

/** The next `size` (1..16) bits as a signed value: JPEG's "receive and extend". */
function receiveExtend(reader: BitReader, size: number): number {
  if (reader.count < size) fill(reader);
  reader.count -= size;
  const value = (reader.buffer >>> reader.count) & ((1 << size) - 1);
  return value < 1 << (size - 1) ? value - (1 << size) + 1 : value;
}

function decodeSymbol(reader: BitReader, table: HuffmanTable): number {
  if (reader.count < 16) fill(reader);
  const count = reader.count;
  const entry = table.lookup[(reader.buffer >>> (count - LOOKUP_BITS)) & LOOKUP_MASK] as number;
  if (entry !== 0) {
    reader.count = count - (entry >> 8);
    return entry & 0xff;
  }
  // Longer than the lookup: compare the next 16 bits, cut to each length, with that length's largest code.
  // The buffer holds at least 16 bits here, so no refill is needed as the code grows (nor was one made
  // when codes were read a bit at a time).
  const peek = (reader.buffer >>> (count - 16)) & 0xffff;
  for (let length = LOOKUP_BITS + 1; length <= 16; length++) {
    const code = peek >>> (16 - length);
    if (code <= (table.maxCode[length] as number)) {
      reader.count = count - length;
      return table.symbols[code + (table.valueOffset[length] as number)] ?? 0;
    }
  }
  throw new JpegDecodeError('Corrupt Huffman code in the image data.');
}

/** `slowAc`'s answer for an end-of-block code. */
const END_OF_BLOCK = -1;

/**
 * One AC code longer than the lookup table's bits, read bit by bit: consumes the symbol and its value's
 * bits and answers the coefficient index `k` it lands on with the value's size in bits 8 and up (size 0:
 * a run of 16 zeros, `k` advanced past it), or END_OF_BLOCK. The value's bits end at `reader.count`.
 */
function slowAc(reader: BitReader, table: HuffmanTable, k: number): number {
  const symbol = decodeSymbol(reader, table);
  const run = symbol >> 4;
  const size = symbol & 15;
  if (size === 0) return run === 15 ? k + 16 : END_OF_BLOCK;
  const at = k + run;
  if (at > 63) throw new JpegDecodeError('Corrupt AC coefficients.');
  if (reader.count < size) fill(reader);
  reader.count -= size;
  return at | (size << 8);
}

/** Reads past a block's AC coefficients: at 1/8 only the DC is used, but every code must still be read. */
function skipAc(reader: BitReader, table: HuffmanTable): void {
  const fastAc = table.fastAc as Int32Array;
  let buffer = reader.buffer;
  let count = reader.count;
  for (let k = 1; k < 64; ) {
    if (count < 16) {
      reader.buffer = buffer;
      reader.count = count;
      fill(reader);
      buffer = reader.buffer;
      count = reader.count;
    }
    const fast = fastAc[(buffer >>> (count - LOOKUP_BITS)) & LOOKUP_MASK] as number;
    if (fast !== 0) {
      count -= fast & 31;
      k += fast >> 9; // past the coefficient: a run ending beyond 63 leaves k over 64
      if (k > 64) throw new JpegDecodeError('Corrupt AC coefficients.');
      continue;
    }
    reader.buffer = buffer;
    reader.count = count;
    const slow = slowAc(reader, table, k);
    buffer = reader.buffer;
    count = reader.count;
    if (slow === END_OF_BLOCK) break;
    k = (slow & 255) + (slow >> 8 === 0 ? 0 : 1);
  }
  reader.buffer = buffer;
  reader.count = count;
}

/**
 * Reads a block's AC coefficients, keeping the dequantised ones inside the N×N corner (zeroed beforehand)
 * and skipping the rest. Returns bit r set when coefficient row r holds a non-zero value there.
 */
function decodeAc(
  reader: BitReader,
  table: HuffmanTable,
  quant: Int32Array,
  coefficients: Float32Array,
  n: number,
): number {
  const fastAc = table.fastAc as Int32Array;
  let buffer = reader.buffer;
  let count = reader.count;
  let rowsUsed = 0;
  for (let k = 1; k < 64; ) {
    if (count < 16) {
      reader.buffer = buffer;
      reader.count = count;
      fill(reader);
      buffer = reader.buffer;
      count = reader.count;
    }
    const fast = fastAc[(buffer >>> (count - LOOKUP_BITS)) & LOOKUP_MASK] as number;
    let size: number;
    if (fast !== 0) {
      count -= fast & 31;
      k += (fast >> 9) - 1;
      if (k > 63) throw new JpegDecodeError('Corrupt AC coefficients.');
      size = (fast >> 5) & 15;
    } else {
      reader.buffer = buffer;
      reader.count = count;
      const slow = slowAc(reader, table, k);
      buffer = reader.buffer;
      count = reader.count;
      if (slow === END_OF_BLOCK) break;
      k = slow & 255;
      size = slow >> 8;
      if (size === 0) continue; // a run of 16 zeros
    }
    // The value's bits are the `size` just consumed.
    const natural = ZIGZAG[k] as number;
    const row = natural >> 3;
    if (row < n && (natural & 7) < n) {
      const bits = (buffer >>> count) & ((1 << size) - 1);
      const value = bits < 1 << (size - 1) ? bits - (1 << size) + 1 : bits;
      coefficients[natural] = value * (quant[k] as number);
      rowsUsed |= 1 << row;
    }
    k++;
  }
  reader.buffer = buffer;
  reader.count = count;
  return rowsUsed;
}

/** Per-decode scratch for the N×N inverse DCT (N = 8/scale), so blocks allocate nothing. */
interface BlockScratch {
  readonly n: number;
  readonly coefficients: Float32Array;
  readonly weights: Float32Array;
  readonly temp: Float32Array;
  readonly usedRows: Uint8Array;
}

/** Decodes one block and writes its N×N samples at (x0, y0) of the component's MCU row. */
function decodeBlock(
  reader: BitReader,
  component: ComponentState,
  scratch: BlockScratch,
  x0: number,
  y0: number,
): void {
  const { n, coefficients, weights, temp, usedRows } = scratch;
  const quant = component.quant;
  const size = decodeSymbol(reader, component.dcTable as HuffmanTable);
  if (size > 16) throw new JpegDecodeError('Corrupt DC coefficient.');
  if (size > 0) component.predictor += receiveExtend(reader, size);
  const dc = component.predictor * (quant[0] as number);
  const samples = component.rowSamples;
  const stride = component.rowStride;
  if (n === 1) {
    skipAc(reader, component.acTable as HuffmanTable);
    const level = dc / 8 + 128;
    samples[y0 * stride + x0] = level < 0 ? 0 : level > 255 ? 255 : level + 0.5;
    return;
  }
  // Only the N×N corner is ever written, so only it needs clearing (loops: fill() calls cost more here).
  for (let v = 0; v < n; v++) for (let u = 0; u < n; u++) coefficients[v * 8 + u] = 0;
  // Bit r set: coefficient row r holds a non-zero AC value within the N×N corner.
  let rowsUsed = decodeAc(reader, component.acTable as HuffmanTable, quant, coefficients, n);
  if (rowsUsed === 0) {
    // DC only (often in smooth areas): one flat level.
    let level = dc / 8 + 128;
    level = level < 0 ? 0 : level > 255 ? 255 : level + 0.5;
    for (let y = 0; y < n; y++) {
      const out = (y0 + y) * stride + x0;
      for (let x = 0; x < n; x++) samples[out + x] = level;
    }
    return;
  }
  coefficients[0] = dc;
  rowsUsed |= 1;
  // Rows of coefficients → rows of samples (only non-zero rows), then columns.
  let used = 0;
  for (let v = 0; v < n; v++) {
    if ((rowsUsed & (1 << v)) === 0) continue;
    usedRows[used++] = v;
    for (let x = 0; x < n; x++) {
      let sum = 0;
      for (let u = 0; u < n; u++) sum += (weights[x * n + u] as number) * (coefficients[v * 8 + u] as number);
      temp[v * n + x] = sum;
    }
  }
  for (let y = 0; y < n; y++) {
    const out = (y0 + y) * stride + x0;
    for (let x = 0; x < n; x++) {
      let sum = 128;
      for (let i = 0; i < used; i++) {
        const v = usedRows[i] as number;
        sum += (weights[y * n + v] as number) * (temp[v * n + x] as number);
      }
      samples[out + x] = sum < 0 ? 0 : sum > 255 ? 255 : sum + 0.5;
    }
  }
}

/** The decoded image: upright, reduced by `scale`, with the upright size at full resolution. */
export interface ScaledJpeg extends RgbaImage {
  readonly data: Uint8Array;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
}

/**
 * Decodes a baseline JPEG at 1/scale. `header` comes from readJpegHeader on the same bytes.
 * Throws JpegDecodeError for anything it does not handle or cannot read.
 */
export function decodeScaledJpeg(bytes: Uint8Array, header: JpegHeader, scale: JpegScale): ScaledJpeg {
  const { width, height, orientation } = header;
  if (header.process !== 'baseline' || header.precision !== 8)
    throw new JpegDecodeError('Only 8-bit baseline JPEGs are decoded at reduced scale.', true);
  const componentCount = header.components.length;
  if (componentCount !== 1 && componentCount !== 3)
    throw new JpegDecodeError(`${componentCount} colour components are not decoded at reduced scale.`, true);
  const n = 8 / scale;
  const outWidth = Math.ceil(width / scale);
  const outHeight = Math.ceil(height / scale);
  const quantTables: Int32Array[] = [];
  const dcTables: HuffmanTable[] = [];
  const acTables: HuffmanTable[] = [];
  const scanTables: { dc: HuffmanTable; ac: HuffmanTable }[] = [];
  let restartInterval = 0;

  // One component: sampling factors mean nothing, its blocks are simply laid out row by row.
  const specs =
    componentCount === 1
      ? [{ ...(header.components[0] as JpegHeader['components'][0]), h: 1, v: 1 }]
      : header.components;
  let hMax = 1;
  let vMax = 1;
  for (const spec of specs) {
    if (spec.h < 1 || spec.h > 4 || spec.v < 1 || spec.v > 4 || spec.quantTable > 3)
      throw new JpegDecodeError('A component has invalid sampling factors or quantisation table.');
    hMax = Math.max(hMax, spec.h);
    vMax = Math.max(vMax, spec.v);
  }
  const mcusPerLine = Math.ceil(width / (8 * hMax));
  const mcuRows = Math.ceil(height / (8 * vMax));

  // Tables and the scan header.
  let offset = 2;
  let scanOrder: number[] | null = null;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new JpegDecodeError(`No marker at byte ${offset}.`);
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset++;
      continue;
    }
    const length = ((bytes[offset + 2] as number) << 8) | (bytes[offset + 3] as number);
    const body = offset + 4;
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) throw new JpegDecodeError('A marker segment runs past the end.');
    if (marker === 0xdb) {
      for (let at = body; at < end; ) {
        const pq = (bytes[at] as number) >> 4;
        const tq = (bytes[at] as number) & 15;
        if (tq > 3 || at + 1 + 64 * (pq + 1) > end) throw new JpegDecodeError('Bad quantisation table.');
        const table = new Int32Array(64);
        for (let k = 0; k < 64; k++) {
          table[k] =
            pq === 0
              ? (bytes[at + 1 + k] as number)
              : ((bytes[at + 1 + 2 * k] as number) << 8) | (bytes[at + 2 + 2 * k] as number);
        }
        quantTables[tq] = table;
        at += 1 + 64 * (pq + 1);
      }
    } else if (marker === 0xc4) {
      for (let at = body; at < end; ) {
        if (at + 17 > end) throw new JpegDecodeError('Bad Huffman table.');
        const tc = (bytes[at] as number) >> 4;
        const th = (bytes[at] as number) & 15;
        const counts = bytes.subarray(at + 1, at + 17);
        let total = 0;
        for (const count of counts) total += count;
        if (th > 3 || tc > 1 || total > 256 || at + 17 + total > end)
          throw new JpegDecodeError('Bad Huffman table.');
        const table = buildHuffmanTable(counts, bytes.subarray(at + 17, at + 17 + total), tc === 1);
        (tc === 0 ? dcTables : acTables)[th] = table;
        at += 17 + total;
      }
    } else if (marker === 0xdd) {
      if (length < 4) throw new JpegDecodeError('Bad restart interval.');
      restartInterval = ((bytes[body] as number) << 8) | (bytes[body + 1] as number);
    } else if (marker === 0xda) {
      const count = bytes[body] as number;
      if (count !== componentCount || length < 6 + 2 * count)
        throw new JpegDecodeError(
          'Only JPEGs with every component in one scan are decoded at reduced scale.',
          true,
        );
      scanOrder = [];
      for (let i = 0; i < count; i++) {
        const id = bytes[body + 1 + 2 * i] as number;
        const tables = bytes[body + 2 + 2 * i] as number;
        const index = header.components.findIndex((component) => component.id === id);
        if (index < 0 || scanOrder.includes(index))
          throw new JpegDecodeError('The scan names an unknown component.');
        scanOrder.push(index);
        const dc = dcTables[tables >> 4];
        const ac = acTables[tables & 15];
        if (dc === undefined || ac === undefined)
          throw new JpegDecodeError('The scan uses a missing Huffman table.');
        scanTables[index] = { dc, ac };
      }
      offset = end;
      break;
    } else if (marker === 0xd9) {
      break;
    }
    offset = end;
  }
  if (scanOrder === null) throw new JpegDecodeError('The JPEG has no image data.');

  const components: ComponentState[] = specs.map((spec, index) => {
    const quant = quantTables[spec.quantTable];
    if (quant === undefined) throw new JpegDecodeError('A component uses a missing quantisation table.');
    const rowStride = mcusPerLine * spec.h * n;
    const columnOf = new Int32Array(outWidth);
    for (let x = 0; x < outWidth; x++) columnOf[x] = Math.floor((x * spec.h) / hMax);
    const rowOf = new Int32Array(vMax * n);
    for (let y = 0; y < vMax * n; y++) rowOf[y] = Math.floor((y * spec.v) / vMax);
    return {
      h: spec.h,
      v: spec.v,
      quant,
      dcTable: scanTables[index]?.dc ?? null,
      acTable: scanTables[index]?.ac ?? null,
      predictor: 0,
      rowSamples: new Uint8Array(rowStride * spec.v * n),
      rowStride,
      columnOf,
      rowOf,
    };
  });

  const reader: BitReader = { bytes, position: offset, buffer: 0, count: 0, padding: 0 };
  const scratch: BlockScratch = {
    n,
    coefficients: new Float32Array(64),
    weights: idctWeights(n),
    temp: new Float32Array(n * n),
    usedRows: new Uint8Array(8),
  };

  const restart = (): void => {
    // Skip to the RSTn marker that should follow (tolerating a missing one), then start afresh.
    reader.buffer = 0;
    reader.count = 0;
    let position = reader.position;
    while (position + 1 < bytes.length) {
      if (bytes[position] === 0xff) {
        const next = bytes[position + 1] as number;
        if (next >= 0xd0 && next <= 0xd7) {
          position += 2;
          break;
        }
        if (next !== 0 && next !== 0xff) break; // another marker: the data ended early
      }
      position++;
    }
    reader.position = position;
    for (const component of components) component.predictor = 0;
    reader.padding = 0;
  };

  const swap = swapsSides(orientation);
  const uprightWidth = swap ? outHeight : outWidth;
  const uprightHeight = swap ? outWidth : outHeight;
  const data = new Uint8Array(uprightWidth * uprightHeight * 4);
  const target = uprightIndex(orientation, outWidth, outHeight);
  const rgb = componentCount === 3 && header.adobeTransform === 0;
  const mcuRowHeight = vMax * n;

  let mcusDone = 0;
  for (let mcuRow = 0; mcuRow < mcuRows; mcuRow++) {
    for (let mcuX = 0; mcuX < mcusPerLine; mcuX++) {
      if (restartInterval > 0 && mcusDone > 0 && mcusDone % restartInterval === 0) restart();
      for (const index of scanOrder) {
        const component = components[index] as ComponentState;
        for (let v = 0; v < component.v; v++) {
          for (let h = 0; h < component.h; h++)
            decodeBlock(reader, component, scratch, (mcuX * component.h + h) * n, v * n);
        }
      }
      mcusDone++;
    }
    if (reader.padding > MAX_PADDING_BYTES)
      throw new JpegDecodeError('The JPEG image data ends before the image does.');
    // Colour-convert this MCU row into the upright output (nearest-neighbour chroma upsampling).
    const y0 = mcuRow * mcuRowHeight;
    const rows = Math.min(mcuRowHeight, outHeight - y0);
    const [first, second, third] = components as [ComponentState, ComponentState?, ComponentState?];
    for (let local = 0; local < rows; local++) {
      const y = y0 + local;
      const luma = first.rowOf[local] as number;
      const lumaRow = luma * first.rowStride;
      if (second === undefined || third === undefined) {
        for (let x = 0; x < outWidth; x++) {
          const level = first.rowSamples[lumaRow + (first.columnOf[x] as number)] as number;
          const o = target(x, y) * 4;
          data[o] = data[o + 1] = data[o + 2] = level;
          data[o + 3] = 255;
        }
        continue;
      }
      const blueRow = (second.rowOf[local] as number) * second.rowStride;
      const redRow = (third.rowOf[local] as number) * third.rowStride;
      for (let x = 0; x < outWidth; x++) {
        const c0 = first.rowSamples[lumaRow + (first.columnOf[x] as number)] as number;
        const c1 = second.rowSamples[blueRow + (second.columnOf[x] as number)] as number;
        const c2 = third.rowSamples[redRow + (third.columnOf[x] as number)] as number;
        const o = target(x, y) * 4;
        if (rgb) {
          data[o] = c0;
          data[o + 1] = c1;
          data[o + 2] = c2;
        } else {
          // Typed-array stores clamp nothing, so clamp here (JFIF's YCbCr → RGB, as jpeg-js does).
          const r = c0 + 1.402 * (c2 - 128);
          const g = c0 - 0.3441363 * (c1 - 128) - 0.71413636 * (c2 - 128);
          const b = c0 + 1.772 * (c1 - 128);
          data[o] = r < 0 ? 0 : r > 255 ? 255 : r + 0.5;
          data[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g + 0.5;
          data[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b + 0.5;
        }
        data[o + 3] = 255;
      }
    }
  }

  return {
    width: uprightWidth,
    height: uprightHeight,
    data,
    sourceWidth: swap ? height : width,
    sourceHeight: swap ? width : height,
  };
}
