/**
 * The API: a Hono app whose routes are declared with zod schemas that both validate requests and
 * generate the OpenAPI 3.1 document. One error handler turns every failure into problem+json.
 */

import { OpenAPIHono } from '@hono/zod-openapi';
import { cors } from 'hono/cors';
import { timing } from 'hono/timing';
import type { AppEnv } from './app-types.ts';
import { ApiError, handleError } from './errors.ts';
import { ModelRegistry } from './model/model-registry.ts';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi.ts';
import { registerBatch } from './routes/batch.ts';
import { registerHealth } from './routes/health.ts';
import { registerModelInfo } from './routes/model-info.ts';
import { registerPredict } from './routes/predict.ts';
import { registerRead } from './routes/read.ts';
import { readyTfjs } from './tfjs-wasm.ts';
import { validationError } from './validation-error.ts';

/** Default when MODEL_REFRESH_SECONDS is missing or not a number. */
const DEFAULT_REFRESH_SECONDS = 30;

let registry: ModelRegistry | undefined;

/** One registry per isolate, created with the first request's bindings. */
function registryFor(env: Env): ModelRegistry {
  if (registry === undefined) {
    const refresh = Number.parseFloat(String(env.MODEL_REFRESH_SECONDS));
    registry = new ModelRegistry({
      bucket: env.MODELS,
      refreshSeconds: Number.isFinite(refresh) && refresh >= 0 ? refresh : DEFAULT_REFRESH_SECONDS,
    });
  }
  return registry;
}

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success)
        throw validationError(result.target, result.error.issues, (result as { data?: unknown }).data);
    },
  });

  app.use(
    '/api/*',
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      allowHeaders: ['Content-Type'],
      exposeHeaders: ['Server-Timing', 'Retry-After'],
      maxAge: 86400,
    }),
  );
  app.use('/api/*', timing({ crossOrigin: true }));
  app.use('/api/*', async (c, next) => {
    await readyTfjs();
    c.set('registry', registryFor(c.env));
    c.set('waitUntil', (promise) => {
      try {
        c.executionCtx.waitUntil(promise);
      } catch {
        // No execution context (app.request in a unit test): the promise still runs to completion.
      }
    });
    await next();
  });

  registerPredict(app);
  registerBatch(app);
  registerRead(app);
  registerModelInfo(app);
  registerHealth(app);

  const document = buildOpenApiDocument();
  app.get(OPENAPI_PATH, (c) => c.json(document));

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) {
      throw new ApiError(404, 'not_found', 'Not found', `No endpoint ${c.req.method} ${c.req.path}.`);
    }
    return c.env.ASSETS.fetch(c.req.raw);
  });
  app.onError(handleError);
  return app;
}
