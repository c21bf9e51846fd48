/** POST /api/predict/batch: up to 256 digits answered in order, in one model call. */

import { createRoute } from '@hono/zod-openapi';
import { endTime, startTime } from 'hono/timing';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import type { ApiApp } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { pixelsFromJson, writePixels } from '../input/pixels-from-input.ts';
import { limitBody } from '../middleware/limit-body.ts';
import { BatchBody, BatchResponse, VersionQuery } from '../schemas.ts';
import { problemResponses, toPrediction } from './shared.ts';

export const batchRoute = createRoute({
  method: 'post',
  path: '/api/predict/batch',
  summary: 'Recognise up to 256 digits in one call',
  middleware: [limitBody(['json'])],
  request: {
    query: VersionQuery,
    body: { required: true, content: { 'application/json': { schema: BatchBody } } },
  },
  responses: {
    200: {
      description: 'One prediction per image, in order',
      content: { 'application/json': { schema: BatchResponse } },
    },
    ...problemResponses(400, 404, 409, 413, 415, 422, 503),
  },
});

export function registerBatch(app: ApiApp): void {
  app.openapi(batchRoute, async (c) => {
    const { images } = c.req.valid('json');
    startTime(c, 'decode', 'Input decoding and preprocessing');
    const pixels = new Float32Array(images.length * PIXEL_COUNT);
    images.forEach((image, index) => {
      try {
        writePixels(pixels, index, pixelsFromJson(image));
      } catch (error) {
        // Say which item was wrong; the status and code stay those of the item's problem.
        if (error instanceof ApiError) {
          throw new ApiError(
            error.status,
            error.code,
            error.title,
            `images[${index}]: ${error.detail}`,
            error.headers,
          );
        }
        throw error;
      }
    });
    endTime(c, 'decode');
    const { version } = c.req.valid('query');
    const answer = await c.var.registry.run(version, c.var.waitUntil, (loaded) => {
      startTime(c, 'inference', 'Model inference');
      const probabilities = loaded.model.predict(pixels, images.length);
      endTime(c, 'inference');
      return {
        predictions: images.map((_, index) => toPrediction(probabilities, index)),
        model: { version: loaded.version },
      };
    });
    return c.json(answer, 200);
  });
}
