/** GET /api/health: 200 while a model serves (reporting any refused version), else 503. */

import * as tf from '@tensorflow/tfjs-core';
import type { ApiApp } from '../app-types.ts';
import { healthRoute } from './definitions.ts';

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
