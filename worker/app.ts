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
import { readSettings, type Settings } from './settings.ts';
import { readyTfjs } from './tfjs-wasm.ts';
import { validationError } from './validation-error.ts';

interface IsolateState {
  readonly settings: Settings;
  readonly registry: ModelRegistry;
}

let isolate: IsolateState | undefined;

/** Settings and the model registry, built once per isolate from the first request's bindings. */
function isolateState(env: Env): IsolateState {
  if (isolate === undefined) {
    const settings = readSettings(env);
    isolate = {
      settings,
      registry: new ModelRegistry({
        bucket: settings.modelsBucket,
        refreshSeconds: settings.modelRefreshSeconds,
      }),
    };
  }
  return isolate;
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
    const { settings, registry } = isolateState(c.env);
    c.set('settings', settings);
    c.set('registry', registry);
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
  registerModelInfo(app);
  registerHealth(app);

  const document = buildOpenApiDocument();
  app.get(OPENAPI_PATH, (c) => c.json(document));

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) {
      throw new ApiError(404, 'not_found', 'Not found', `No endpoint ${c.req.method} ${c.req.path}.`);
    }
    return isolateState(c.env).settings.assets.fetch(c.req.raw);
  });
  app.onError((error, c) => handleError(error, isolateState(c.env).settings));
  return app;
}
