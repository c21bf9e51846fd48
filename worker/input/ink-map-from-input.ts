/**
 * Every input form of POST /api/read → the ink map of the whole picture and the size of the input in its own
 * pixels (what digit boxes are reported in). Images go through the same decode path and limits as
 * /api/predict; grey bitmaps are used as given, shrunk to the same pixel budget.
 */

import { extractInk, NUMBER_WORKING_SIZE } from '../../core/extract-ink.ts';
import type { InkMap } from '../../core/ink-map.ts';
import type { RgbaImage } from '../../core/preprocess.ts';
import { inkMapFromBitmap, type Size } from '../../core/segment-number.ts';
import type { ReadJson } from '../routes/read-contract.ts';
import { decodeBase64Image } from './decode-image.ts';
import { decodeImageBytes, noInk } from './pixels-from-input.ts';

export interface InkInput {
  readonly map: InkMap;
  /** The input's own size: the grid `map` covers (digit boxes are scaled from the map to it). */
  readonly source: Size;
}

/**
 * The one place an image becomes ink: the photo extraction, as for single digits (paper, lines, specks gone),
 * at a working size that keeps a wide line's height.
 */
const inkMapOfImage = (image: RgbaImage): InkMap | null => extractInk(image, NUMBER_WORKING_SIZE);

export async function inkFromImageBytes(bytes: Uint8Array): Promise<InkInput> {
  const image = await decodeImageBytes(bytes);
  const map = inkMapOfImage(image);
  if (map === null) throw noInk();
  // Boxes are reported in the input's own pixels: full size, after EXIF orientation (the decoder may reduce).
  return { map, source: { width: image.sourceWidth, height: image.sourceHeight } };
}

export function inkFromJson(input: ReadJson): InkInput | Promise<InkInput> {
  if ('image' in input) return inkFromImageBytes(decodeBase64Image(input.image));
  const { width, height, pixels } = input;
  return { map: inkMapFromBitmap(width, height, pixels), source: { width, height } };
}
