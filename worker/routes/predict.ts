/** POST /api/predict: one digit from pixels, a base64 image, an image body or a multipart upload. */

import type { ApiApp } from '../app-types.ts';
import { pixelsFromImageBytes, pixelsFromJson } from '../input/pixels-from-input.ts';
import { startTiming } from '../middleware/api-headers.ts';
import type { PredictJson } from '../schemas.ts';
import { predictRoute } from './definitions.ts';
import { oneImageMiddleware, predictImages, readImageBody } from './shared.ts';

export function registerPredict(app: ApiApp): void {
  app.openapi({ ...predictRoute, middleware: oneImageMiddleware }, async (c) => {
    const decoded = startTiming(c, 'decode');
    const body = await readImageBody<PredictJson>(c.req);
    const pixels = await ('json' in body ? pixelsFromJson(body.json) : pixelsFromImageBytes(body.bytes));
    decoded();
    const { version } = c.req.valid('query');
    const answer = await c.get('registry').run(version, c.get('waitUntil'), (loaded) => {
      const inferred = startTiming(c, 'inference');
      const [prediction] = predictImages(loaded, pixels, 1);
      inferred();
      return {
        ...(prediction as ReturnType<typeof predictImages>[number]),
        model: { version: loaded.version },
      };
    });
    return c.json(answer, 200);
  });
}
