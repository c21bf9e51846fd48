/** What the image routes (/api/predict, /api/predict/batch, /api/read) share: reading the body, shaping answers. */

import type { HonoRequest } from 'hono';
import { interpretPrediction } from '../../core/confidence.ts';
import { ApiError, unsupportedDetail } from '../errors.ts';
import { bodyKindOf } from '../input/pixels-from-input.ts';
import { guard } from '../middleware/guard.ts';
import type { ModelOutputs } from '../model/fused-model.ts';
import type { LoadedModel } from '../model/load-model.ts';

/** The middleware of the one-image routes, in order: the predictions' rate limit, then the body's size. */
export const oneImageMiddleware = guard('predict', ['json', 'image', 'multipart']);

/** A single-image body: the validated JSON, or the bytes of an image sent as the body or as a multipart file. */
export type ImageBody<Json> = { readonly json: Json } | { readonly bytes: Uint8Array };

/**
 * Reads the body of a route that takes JSON, an image body or a multipart upload (its `image` file), after
 * the route's own validation.
 *
 * @example
 * const body = await readImageBody<PredictJson>(c.req);
 * const pixels = 'json' in body ? await pixelsFromJson(body.json) : await pixelsFromImageBytes(body.bytes);
 */
export async function readImageBody<Json>(request: HonoRequest): Promise<ImageBody<Json>> {
  const kind = bodyKindOf(request.header('content-type'));
  // The route's guard has answered any other type already.
  if (kind === undefined)
    throw new ApiError(415, 'unsupported_media_type', 'Unsupported media type', unsupportedDetail());
  // zod-openapi types `valid` only for routes with one body type; these declare four.
  const validated = request.valid.bind(request) as unknown as (target: 'json' | 'form') => unknown;
  if (kind === 'json') return { json: validated('json') as Json };
  if (kind === 'image') return { bytes: new Uint8Array(await request.raw.arrayBuffer()) };
  const file = (validated('form') as Record<string, unknown>).image;
  if (!(file instanceof File)) {
    throw new ApiError(
      400,
      'invalid_request',
      'Invalid request',
      'The multipart body needs one file field named "image".',
    );
  }
  return { bytes: new Uint8Array(await file.arrayBuffer()) };
}

/** What a prediction needs of a loaded model. */
type ServedModel = Pick<LoadedModel, 'model' | 'manifest'>;

/**
 * Predictions for `count` images held back to back in `pixels`: calibrated probabilities (the manifest's
 * temperature, 1 when it has none), `uncertain` and `isDigit` (null when the model has no detector).
 */
export function predictImages(loaded: ServedModel, pixels: Float32Array, count: number) {
  const outputs = { ...loaded.model.outputs(pixels, count), pixels };
  return Array.from({ length: count }, (_, index) => predictionAt(loaded, outputs, index));
}

/** The answer for image `index` of one batched model call (`pixels` are that call's inputs). */
export function predictionAt(
  loaded: ServedModel,
  outputs: ModelOutputs & { readonly pixels: Float32Array },
  index: number,
) {
  const { calibration, digitDetector } = loaded.manifest;
  const { digit, confidence, probabilities, uncertain, isDigit } = interpretPrediction(
    outputs,
    index,
    calibration,
    digitDetector,
  );
  return { digit, confidence, probabilities, uncertain, isDigit };
}
