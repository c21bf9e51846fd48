/** POST /api/predict/batch: up to 256 digits answered in order, in one model call. */

import { PIXEL_COUNT } from '../../core/model-spec.ts';
import type { ApiApp } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { DecodeBudget } from '../input/decode-budget.ts';
import { pixelsFromJson, writePixels } from '../input/pixels-from-input.ts';
import { startTiming } from '../middleware/api-headers.ts';
import { guard } from '../middleware/guard.ts';
import { batchRoute } from './definitions.ts';
import { predictImages } from './shared.ts';

export function registerBatch(app: ApiApp): void {
  app.openapi({ ...batchRoute, middleware: guard('batch', ['json']) }, async (c) => {
    const { images } = c.req.valid('json');
    const decoded = startTiming(c, 'decode');
    const pixels = new Float32Array(images.length * PIXEL_COUNT);
    // One decoding budget for the whole batch: 256 large images must not cost 256 times one.
    const budget = new DecodeBudget();
    for (const [index, image] of images.entries()) {
      try {
        writePixels(pixels, index, await pixelsFromJson(image, budget));
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
    }
    decoded();
    const { version } = c.req.valid('query');
    const answer = await c.get('registry').run(version, c.get('waitUntil'), (loaded) => {
      const inferred = startTiming(c, 'inference');
      const predictions = predictImages(loaded, pixels, images.length);
      inferred();
      return {
        predictions,
        model: { version: loaded.version },
      };
    });
    return c.json(answer, 200);
  });
}
