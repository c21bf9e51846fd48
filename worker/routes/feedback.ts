/**
 * POST /api/feedback (store a correction), GET /api/feedback (is it on?) and GET /api/feedback/stats
 * (self-reported accuracy per model version). All answer 404 when FEEDBACK=off.
 */
import type { MiddlewareHandler } from 'hono';
import { correctionId, pixelsToBytes } from '../../core/corrections.ts';
import type { ApiApp, AppEnv } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import {
  feedbackRoute,
  feedbackStatsRoute,
  feedbackStatusRoute,
  SELF_REPORTED_NOTE,
  STORED_DESCRIPTION,
} from '../feedback/contract.ts';
import { feedbackByVersion, insertCorrection } from '../feedback/store.ts';
import { guard } from '../middleware/guard.ts';
import type { Settings } from '../settings.ts';

/** The corrections database, or 404 when feedback is switched off on this deployment. */
function feedbackDatabase(settings: Settings): D1Database {
  if (settings.feedbackDatabase === null) {
    throw new ApiError(
      404,
      'not_found',
      'Not found',
      'Feedback is switched off on this deployment (FEEDBACK=off); predictions work as usual.',
    );
  }
  return settings.feedbackDatabase;
}

/** 404 before anything else is read when feedback is switched off here. */
const requireFeedback: MiddlewareHandler<AppEnv> = async function requireFeedback(c, next) {
  feedbackDatabase(c.get('settings'));
  await next();
};

/** The middleware of the one write endpoint, in order: switched on, within the write limit, body size. */
const writeMiddleware: MiddlewareHandler<AppEnv>[] = [requireFeedback, guard('write', ['json'])];

export function registerFeedback(app: ApiApp): void {
  app.openapi({ ...feedbackRoute, middleware: writeMiddleware }, async (c) => {
    const body = c.req.valid('json');
    const pixels = pixelsToBytes(body.pixels);
    const id = await correctionId(pixels, body.label);
    const created = await insertCorrection(feedbackDatabase(c.get('settings')), {
      id,
      createdAt: new Date().toISOString(),
      modelVersion: body.modelVersion,
      label: body.label,
      predicted: body.predicted,
      pixels,
      source: body.source,
    });
    return created ? c.json({ id, duplicate: false }, 201) : c.json({ id, duplicate: true }, 200);
  });

  app.openapi({ ...feedbackStatusRoute, middleware: [requireFeedback] }, (c) =>
    c.json({ enabled: true as const, stored: STORED_DESCRIPTION }, 200),
  );

  app.openapi({ ...feedbackStatsRoute, middleware: [requireFeedback] }, async (c) => {
    const { version } = c.req.valid('query');
    const versions = await feedbackByVersion(feedbackDatabase(c.get('settings')), version);
    // Short caching: the numbers move slowly and /model fetches them on every visit.
    c.header('cache-control', 'public, max-age=30');
    return c.json({ selfReported: true as const, note: SELF_REPORTED_NOTE, versions }, 200);
  });
}
