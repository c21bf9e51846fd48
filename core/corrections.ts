/**
 * Corrections (what a person says the right digit was) in the form they are stored, exported and trained
 * on: the 28×28 image as 784 bytes (0 = background, 255 = ink, MNIST's IDX convention) and a label.
 * Pure: the Worker stores with it, the export script writes IDX files with it, tests check both ends.
 */
import { CLASS_COUNT, IMAGE_SIZE, PIXEL_COUNT } from './model-spec.ts';
import { sha256Hex } from './sha256.ts';

export const CORRECTION_SOURCES = ['pad', 'api'] as const;
export type CorrectionSource = (typeof CORRECTION_SOURCES)[number];

/** Pixels in [0, 1] → bytes, rounded to the nearest of 256 levels (the precision MNIST itself has). */
export function pixelsToBytes(pixels: ArrayLike<number>): Uint8Array {
  if (pixels.length !== PIXEL_COUNT)
    throw new RangeError(`expected ${PIXEL_COUNT} pixels, got ${pixels.length}`);
  const bytes = new Uint8Array(PIXEL_COUNT);
  for (let i = 0; i < PIXEL_COUNT; i++)
    bytes[i] = Math.round(Math.min(1, Math.max(0, pixels[i] as number)) * 255);
  return bytes;
}

/**
 * The stored record's id: sha256 (hex) of the 784 pixel bytes followed by the label byte. The same image
 * with the same label is the same correction, so a repeated post lands on the same row.
 *
 * @example await correctionId(pixelsToBytes(pixels), 7) // '3b0c…' (64 hex digits)
 */
export async function correctionId(bytes: Uint8Array, label: number): Promise<string> {
  const keyed = new Uint8Array(PIXEL_COUNT + 1);
  keyed.set(bytes);
  keyed[PIXEL_COUNT] = label;
  return sha256Hex(keyed);
}

/** File names in a corrections export folder (`npm run feedback:export`, read by `npm run train -- --extra`). */
export const EXTRA_IMAGES_FILE = 'corrections-images-idx3-ubyte';
export const EXTRA_LABELS_FILE = 'corrections-labels-idx1-ubyte';
export const EXTRA_SUMMARY_FILE = 'summary.json';

/** IDX magic numbers: unsigned bytes (0x08) with 3 dimensions (images) or 1 (labels). */
const IDX_IMAGES_MAGIC = 0x00000803;
const IDX_LABELS_MAGIC = 0x00000801;

/**
 * The MNIST IDX pair for `images` (count × 784 bytes) and their `labels`: what `npm run train -- --extra`
 * reads with the same parser as MNIST's own files.
 */
export function toIdxPair(
  images: Uint8Array,
  labels: Uint8Array,
): { images: Uint8Array; labels: Uint8Array } {
  const count = labels.length;
  if (images.length !== count * PIXEL_COUNT)
    throw new RangeError(`${images.length} image bytes do not hold ${count} images of ${PIXEL_COUNT} bytes`);
  const badLabel = labels.findIndex((label) => label >= CLASS_COUNT);
  if (badLabel >= 0) throw new RangeError(`label ${labels[badLabel]} at ${badLabel} is not a digit`);
  const imageFile = new Uint8Array(16 + images.length);
  const imageView = new DataView(imageFile.buffer);
  imageView.setUint32(0, IDX_IMAGES_MAGIC);
  imageView.setUint32(4, count);
  imageView.setUint32(8, IMAGE_SIZE);
  imageView.setUint32(12, IMAGE_SIZE);
  imageFile.set(images, 16);
  const labelFile = new Uint8Array(8 + count);
  const labelView = new DataView(labelFile.buffer);
  labelView.setUint32(0, IDX_LABELS_MAGIC);
  labelView.setUint32(4, count);
  labelFile.set(labels, 8);
  return { images: imageFile, labels: labelFile };
}
