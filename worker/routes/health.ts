/** GET /api/health: 200 while a model serves (reporting any refused version), else 503. */

import { createRoute } from '@hono/zod-openapi';
import * as tf from '@tensorflow/tfjs-core';
import type { ApiApp } from '../app-types.ts';
import { HealthResponse } from '../schemas.ts';
import { problemResponses } from './shared.ts';

export const healthRoute = createRoute({
  method: 'get',
  path: '/api/health',
  summary: 'Whether a model is loaded, which one, and the last load failure',
  responses: {
    200: { description: 'A model serves', content: { 'application/json': { schema: HealthResponse } } },
    ...problemResponses(503),
  },
});

export function registerHealth(app: ApiApp): void {
  app.openapi(healthRoute, async (c) => {
    const registry = c.var.registry;
    const current = await registry.current(c.var.waitUntil);
    const { pointer, lastFailure } = registry.status();
    const memory = tf.memory();
    return c.json(
      {
        status: lastFailure === null ? ('ok' as const) : ('degraded' as const),
        model: { version: current.version, loadedAt: current.loadedAt },
        pointer,
        lastFailure,
        refreshSeconds: registry.refreshSeconds,
        runtime: { tensors: memory.numTensors, bytes: memory.numBytes },
      },
      200,
    );
  });
}
