/**
 * Health, split the way serving systems do (KServe's V2 protocol: live vs ready):
 * - GET /api/health/live: the Worker answers; no model, storage or wasm involved.
 * - GET /api/health/ready: a verified model is loaded (the first call loads it), else 503.
 * - GET /api/health: the full picture: version, pointer, last failure (stable code), runtime memory.
 * Failures are named by stable codes; the storage layer's text is only in the Worker logs.
 */

import * as tf from '@tensorflow/tfjs-core';
import type { ApiApp } from '../app-types.ts';
import { healthRoute, liveRoute, readyRoute } from './definitions.ts';

const now = (): string => new Date().toISOString();

export function registerHealth(app: ApiApp): void {
  app.openapi(liveRoute, (c) => c.json({ status: 'live' as const, time: now() }, 200));

  app.openapi(readyRoute, async (c) => {
    const current = await c.get('registry').current(c.get('waitUntil'));
    return c.json(
      {
        status: 'ready' as const,
        model: { version: current.version, loadedAt: current.loadedAt },
        time: now(),
      },
      200,
    );
  });

  app.openapi(healthRoute, async (c) => {
    const registry = c.get('registry');
    const current = await registry.current(c.get('waitUntil'));
    const { pointer, lastFailure } = registry.status();
    const memory = tf.memory();
    return c.json(
      {
        status: lastFailure === null ? ('ok' as const) : ('degraded' as const),
        model: { version: current.version, loadedAt: current.loadedAt },
        // The documented fields only: the manifest hash is the loader's business.
        pointer: pointer && { version: pointer.version, publishedAt: pointer.publishedAt },
        lastFailure,
        refreshSeconds: registry.refreshSeconds,
        runtime: { tensors: memory.numTensors, bytes: memory.numBytes },
        time: now(),
      },
      200,
    );
  });
}
