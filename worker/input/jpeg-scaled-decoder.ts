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

/** Codes up to this many bits are decoded by one table lookup; longer ones bit by bit. */
const LOOKUP_BITS = 9;

interface HuffmanTable {
  /** Indexed by the next LOOKUP_BITS bits: (code length << 8) | symbol, or 0 for a longer code. */
  readonly lookup: Uint16Array;
  /** Largest code of each length (1..16), -1 when none; and where its symbols start. */
  readonly maxCode: Int32Array;
  readonly valueOffset: Int32Array;
  readonly symbols: Uint8Array;
}

function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const lookup = new Uint16Array(1 << LOOKUP_BITS);
  const maxCode = new Int32Array(18).fill(-1);
  const valueOffset = new Int32Array(18);
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
  maxCode[17] = 0x7fffffff; // sentinel: a code longer than 16 bits is corrupt
  return { lookup, maxCode, valueOffset, symbols };
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
        const table = buildHuffmanTable(counts, bytes.subarray(at + 17, at + 17 + total));
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

  // Entropy-coded data: a bit reader over the bytes after SOS, unstuffing FF00 and stopping at markers.
  let position = offset;
  let bitBuffer = 0;
  let bitCount = 0;
  // Zero bytes fed past the end of the data: a few are normal look-ahead, many mean the file lies about
  // its size (or is truncated), and decoding on would cost time for nothing.
  let padding = 0;
  const fill = (): void => {
    while (bitCount <= 24) {
      let byte = 0;
      if (position < bytes.length) {
        byte = bytes[position] as number;
        if (byte === 0xff) {
          const next = bytes[position + 1];
          if (next === 0) position += 2;
          else {
            byte = 0; // a marker: feed zeros, leave it for the restart handling
            padding++;
          }
        } else position++;
      } else padding++;
      bitBuffer = (bitBuffer << 8) | byte;
      bitCount += 8;
    }
  };
  const bits = (count: number): number => {
    if (bitCount < count) fill();
    bitCount -= count;
    return (bitBuffer >>> bitCount) & ((1 << count) - 1);
  };
  const decodeSymbol = (table: HuffmanTable): number => {
    if (bitCount < 16) fill();
    const entry = table.lookup[(bitBuffer >>> (bitCount - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1)] as number;
    if (entry !== 0) {
      bitCount -= entry >> 8;
      return entry & 0xff;
    }
    let code = (bitBuffer >>> (bitCount - LOOKUP_BITS)) & ((1 << LOOKUP_BITS) - 1);
    bitCount -= LOOKUP_BITS;
    let length = LOOKUP_BITS;
    while (code > (table.maxCode[length] as number)) {
      code = (code << 1) | bits(1);
      length++;
      if (length > 16) throw new JpegDecodeError('Corrupt Huffman code in the image data.');
    }
    return table.symbols[code + (table.valueOffset[length] as number)] ?? 0;
  };
  const extend = (value: number, size: number): number =>
    value < 1 << (size - 1) ? value - (1 << size) + 1 : value;

  const coefficients = new Float32Array(64);
  const weights = idctWeights(n);
  const temp = new Float32Array(n * n);
  const usedRows = new Uint8Array(8);

  /** Decodes one block and writes its N×N samples at (x0, y0) of the component's MCU row. */
  const decodeBlock = (component: ComponentState, x0: number, y0: number): void => {
    const dcTable = component.dcTable as HuffmanTable;
    const acTable = component.acTable as HuffmanTable;
    const quant = component.quant;
    // Only the N×N corner is ever written, so only it needs clearing.
    for (let v = 0; v < n; v++) coefficients.fill(0, v * 8, v * 8 + n);
    const size = decodeSymbol(dcTable);
    if (size > 16) throw new JpegDecodeError('Corrupt DC coefficient.');
    if (size > 0) component.predictor += extend(bits(size), size);
    const dc = component.predictor * (quant[0] as number);
    let rowsUsed = 0; // bit r set: coefficient row r holds a non-zero AC value within the N×N corner
    for (let k = 1; k < 64; ) {
      const symbol = decodeSymbol(acTable);
      const run = symbol >> 4;
      const acSize = symbol & 15;
      if (acSize === 0) {
        if (run !== 15) break;
        k += 16;
        continue;
      }
      k += run;
      if (k > 63) throw new JpegDecodeError('Corrupt AC coefficients.');
      const value = extend(bits(acSize), acSize);
      const natural = ZIGZAG[k] as number;
      const row = natural >> 3;
      if (row < n && (natural & 7) < n) {
        coefficients[natural] = value * (quant[k] as number);
        rowsUsed |= 1 << row;
      }
      k++;
    }
    const samples = component.rowSamples;
    const stride = component.rowStride;
    if (rowsUsed === 0) {
      // DC only (always at 1/8, often in smooth areas): one flat level.
      let level = dc / 8 + 128;
      level = level < 0 ? 0 : level > 255 ? 255 : level + 0.5;
      for (let y = 0; y < n; y++) samples.fill(level, (y0 + y) * stride + x0, (y0 + y) * stride + x0 + n);
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
        for (let u = 0; u < n; u++)
          sum += (weights[x * n + u] as number) * (coefficients[v * 8 + u] as number);
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
  };

  const restart = (): void => {
    // Skip to the RSTn marker that should follow (tolerating a missing one), then start afresh.
    bitBuffer = 0;
    bitCount = 0;
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
    for (const component of components) component.predictor = 0;
    padding = 0;
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
          for (let h = 0; h < component.h; h++) decodeBlock(component, (mcuX * component.h + h) * n, v * n);
        }
      }
      mcusDone++;
    }
    if (padding > MAX_PADDING_BYTES)
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
