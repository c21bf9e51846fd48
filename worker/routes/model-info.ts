/** GET /api/model (what is served) and GET /api/model/files/{name} (its pictures, for the site). */

import { FALLBACK_UNCERTAIN_BELOW } from '../../core/confidence.ts';
import { modelSizeBytes, versionKey } from '../../core/manifest.ts';
import { ARCHITECTURE } from '../../core/model-spec.ts';
import type { ApiApp } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { liveFeedbackFor } from '../feedback/live-feedback.ts';
import { modelFileRoute, modelRoute } from './definitions.ts';

export function registerModelInfo(app: ApiApp): void {
  app.openapi(modelRoute, async (c) => {
    const { version } = c.req.valid('query');
    const manifest = await c.get('registry').run(version, c.get('waitUntil'), (loaded) => loaded.manifest);
    return c.json(
      {
        version: manifest.version,
        createdAt: manifest.createdAt,
        precision: manifest.precision,
        parameters: manifest.parameters,
        sizeBytes: modelSizeBytes(manifest),
        architecture: ARCHITECTURE.map((layer) => ({ ...layer, outputShape: [...layer.outputShape] })),
        test: manifest.test,
        trust: {
          temperature: manifest.calibration?.temperature ?? 1,
          uncertainBelow: manifest.calibration?.uncertainBelow ?? FALLBACK_UNCERTAIN_BELOW,
          eceBefore: manifest.calibration?.test.eceBefore ?? null,
          eceAfter: manifest.calibration?.test.eceAfter ?? null,
          digitDetector: manifest.digitDetector !== undefined,
          nonDigitsFlagged: manifest.digitDetector?.metrics.nonDigitsFlagged ?? null,
          testDigitsFlagged: manifest.digitDetector?.metrics.testDigitsFlagged ?? null,
        },
        files: manifest.files,
        feedback: await liveFeedbackFor(c.get('settings').feedbackDatabase, manifest.version),
      },
      200,
    );
  });

  app.openapi(modelFileRoute, async (c) => {
    const { name } = c.req.valid('param');
    const { version } = c.req.valid('query');
    const manifest = await c.get('registry').run(version, c.get('waitUntil'), (loaded) => loaded.manifest);
    const object = manifest.files.some((file) => file.path === name)
      ? await c.get('settings').modelsBucket.get(versionKey(manifest.version, name))
      : null;
    if (object === null)
      throw new ApiError(404, 'not_found', 'Not found', `Model ${manifest.version} has no ${name}.`);
    return c.body(object.body, 200, {
      'content-type': 'image/svg+xml',
      // Versions are immutable, so a pinned picture never changes.
      'cache-control': version === undefined ? 'public, max-age=60' : 'public, max-age=31536000, immutable',
      'x-model-version': manifest.version,
    });
  });
}
