/** POST /api/predict: one digit from pixels, a base64 image, an image body or a multipart upload. */

import { endTime, startTime } from 'hono/timing';
import type { ApiApp } from '../app-types.ts';
import { pixelsFromImageBytes, pixelsFromJson } from '../input/pixels-from-input.ts';
import type { PredictJson } from '../schemas.ts';
import { predictRoute } from './definitions.ts';
import { oneImageMiddleware, predictImages, readImageBody } from './shared.ts';

export function registerPredict(app: ApiApp): void {
  app.openapi({ ...predictRoute, middleware: oneImageMiddleware }, async (c) => {
    startTime(c, 'decode', 'Input decoding and preprocessing');
    const body = await readImageBody<PredictJson>(c.req);
    const pixels = await ('json' in body ? pixelsFromJson(body.json) : pixelsFromImageBytes(body.bytes));
    endTime(c, 'decode');
    const { version } = c.req.valid('query');
    const answer = await c.var.registry.run(version, c.var.waitUntil, (loaded) => {
      startTime(c, 'inference', 'Model inference');
      const [prediction] = predictImages(loaded, pixels, 1);
      endTime(c, 'inference');
      return {
        ...(prediction as ReturnType<typeof predictImages>[number]),
        model: { version: loaded.version },
      };
    });
    return c.json(answer, 200);
  });
}
