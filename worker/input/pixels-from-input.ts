/**
 * Every accepted input form → the model's 784 pixels: pixel arrays are used as given, images (raw bytes,
 * base64 in JSON, multipart files) are decoded and preprocessed like MNIST by core/preprocess.ts.
 */

import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { toMnistPixels } from '../../core/preprocess.ts';
import { ApiError } from '../errors.ts';
import { MAX_IMAGE_BYTES, type PredictJson } from '../schemas.ts';
import { DecodeBudget } from './decode-budget.ts';
import { type DecodedImage, decodeBase64Image, decodeImage } from './decode-image.ts';

/** Raw image bodies and multipart files: at most MAX_IMAGE_BYTES. JSON may carry that image base64-encoded. */
export { MAX_IMAGE_BYTES };
export const MAX_JSON_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 64 * 1024;

/** 422 `image_empty`: nothing stands out from the background (a digit for /api/predict, a number for /api/read). */
export const noInk = (): ApiError =>
  new ApiError(
    422,
    'image_empty',
    'No ink found',
    'The image is blank: no digit stands out from the background.',
  );

/** An image sent as bytes (body, multipart file or base64), refused with 413 over MAX_IMAGE_BYTES, decoded. */
export async function decodeImageBytes(bytes: Uint8Array, budget?: DecodeBudget): Promise<DecodedImage> {
  if (bytes.byteLength > MAX_IMAGE_BYTES) {
    throw new ApiError(
      413,
      'body_too_large',
      'Image too large',
      `The image holds ${bytes.byteLength} bytes; at most ${MAX_IMAGE_BYTES} are accepted.`,
    );
  }
  return decodeImage(bytes, budget);
}

/** An image's 784 pixels; its decoding takes from `budget` (a batch shares one). */
export async function pixelsFromImageBytes(
  bytes: Uint8Array,
  budget: DecodeBudget = new DecodeBudget(),
): Promise<Float32Array> {
  const pixels = toMnistPixels(await decodeImageBytes(bytes, budget));
  if (pixels === null) throw noInk();
  return pixels;
}

export async function pixelsFromJson(
  input: PredictJson,
  budget: DecodeBudget = new DecodeBudget(),
): Promise<Float32Array> {
  return 'pixels' in input
    ? new Float32Array(input.pixels) // the array constructor's fast path (from() walks an iterator)
    : pixelsFromImageBytes(decodeBase64Image(input.image), budget);
}

/** Fills `target` at image `index` (batches are one contiguous array). */
export function writePixels(target: Float32Array, index: number, pixels: Float32Array): void {
  target.set(pixels, index * PIXEL_COUNT);
}

export type BodyKind = 'json' | 'image' | 'multipart';

/** The kind of body a Content-Type announces; undefined for any other (the route's 415 names what it takes). */
export function bodyKindOf(contentType: string | undefined): BodyKind | undefined {
  const essence = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (essence === 'application/json' || /^application\/[\w.-]+\+json$/.test(essence)) return 'json';
  if (essence === 'image/png' || essence === 'image/jpeg' || essence === 'image/jpg') return 'image';
  if (essence === 'multipart/form-data') return 'multipart';
  return undefined;
}
