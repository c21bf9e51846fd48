/**
 * Pure parsing of the IDX files MNIST ships in (http://yann.lecun.com/exdb/mnist/): a big-endian header of a
 * magic number (0x0000 08 NN: unsigned bytes, NN dimensions), the dimension sizes, then the data.
 */

export class IdxFormatError extends Error {
  override readonly name = 'IdxFormatError';
}

export interface IdxArray {
  readonly dimensions: readonly number[];
  readonly data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/** Parses an IDX file of unsigned bytes. `label` names the file in error messages. */
export function parseIdx(bytes: Uint8Array, label = 'IDX file'): IdxArray {
  if (bytes.byteLength < 4)
    throw new IdxFormatError(`${label}: ${bytes.byteLength} bytes is too short for an IDX header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0);
  const dataType = (magic >> 8) & 0xff;
  const rank = magic & 0xff;
  if (magic >>> 16 !== 0 || dataType !== UNSIGNED_BYTE || rank < 1 || rank > 4) {
    throw new IdxFormatError(
      `${label}: bad magic number 0x${magic.toString(16).padStart(8, '0')} (want 0x0000080N)`,
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.byteLength < headerBytes) {
    throw new IdxFormatError(`${label}: header needs ${headerBytes} bytes, file has ${bytes.byteLength}`);
  }
  const dimensions = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const expected = headerBytes + dimensions.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== expected) {
    throw new IdxFormatError(
      `${label}: dimensions ${dimensions.join('×')} need ${expected} bytes but the file has ${bytes.byteLength}`,
    );
  }
  return { dimensions, data: bytes.subarray(headerBytes) };
}

export interface LabelledImages {
  /** count × rows × cols bytes, 0 = background, 255 = ink. */
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
}

/** Checks that an images file and a labels file belong together and hold what MNIST holds. */
export function pairImagesWithLabels(
  images: IdxArray,
  labels: IdxArray,
  expect: { count?: number; rows: number; cols: number; classes: number },
): LabelledImages {
  const [count, rows, cols] = images.dimensions;
  if (images.dimensions.length !== 3 || count === undefined || rows === undefined || cols === undefined) {
    throw new IdxFormatError(`images file has ${images.dimensions.length} dimensions, want 3`);
  }
  if (labels.dimensions.length !== 1) {
    throw new IdxFormatError(`labels file has ${labels.dimensions.length} dimensions, want 1`);
  }
  if (rows !== expect.rows || cols !== expect.cols) {
    throw new IdxFormatError(`images are ${rows}×${cols}, want ${expect.rows}×${expect.cols}`);
  }
  if (labels.dimensions[0] !== count) {
    throw new IdxFormatError(`${count} images but ${labels.dimensions[0]} labels`);
  }
  if (expect.count !== undefined && count !== expect.count) {
    throw new IdxFormatError(`${count} images, want ${expect.count}`);
  }
  const badLabel = labels.data.findIndex((label) => label >= expect.classes);
  if (badLabel >= 0) {
    throw new IdxFormatError(
      `label ${labels.data[badLabel]} at index ${badLabel} is not a class 0..${expect.classes - 1}`,
    );
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}
