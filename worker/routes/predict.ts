/** POST /api/predict: one digit from pixels, a base64 image, an image body or a multipart upload. */

import { endTime, startTime } from 'hono/timing';
import type { ApiApp } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { bodyKindOf, pixelsFromImageBytes, pixelsFromJson } from '../input/pixels-from-input.ts';
import { limitBody } from '../middleware/limit-body.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { predictRoute } from './definitions.ts';
import { predictImages } from './shared.ts';

async function readPixels(
  request: Request,
  kind: ReturnType<typeof bodyKindOf>,
  json: unknown,
  form: unknown,
): Promise<Float32Array> {
  if (kind === 'json') return pixelsFromJson(json as Parameters<typeof pixelsFromJson>[0]);
  if (kind === 'image') return pixelsFromImageBytes(new Uint8Array(await request.arrayBuffer()));
  const file = (form as Record<string, unknown>).image;
  if (!(file instanceof File)) {
    throw new ApiError(
      400,
      'invalid_request',
      'Invalid request',
      'The multipart body needs one file field named "image".',
    );
  }
  return pixelsFromImageBytes(new Uint8Array(await file.arrayBuffer()));
}

export function registerPredict(app: ApiApp): void {
  app.openapi(
    { ...predictRoute, middleware: [rateLimit('predict'), limitBody(['json', 'image', 'multipart'])] },
    async (c) => {
      const kind = bodyKindOf(c.req.header('content-type'));
      // zod-openapi types `valid` only for routes with one body type; ours declares four.
      const validated = c.req.valid.bind(c.req) as unknown as (target: 'json' | 'form') => unknown;
      const json = kind === 'json' ? validated('json') : undefined;
      const form = kind === 'multipart' ? validated('form') : undefined;
      startTime(c, 'decode', 'Input decoding and preprocessing');
      const pixels = await readPixels(c.req.raw, kind, json, form);
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
    },
  );
}
