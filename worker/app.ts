/**
 * The API: a Hono app whose routes are declared with zod schemas that both validate requests and
 * generate the OpenAPI 3.1 document. One error handler turns every failure into problem+json.
 */

import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-types.ts';
import { ApiError, handleError } from './errors.ts';
import { preflightResponse, ServerTiming } from './middleware/api-headers.ts';
import { securityHeaders } from './middleware/security-headers.ts';
import type { LoadModel } from './model/load-model.ts';
import { ModelRegistry } from './model/model-registry.ts';
import { buildOpenApiDocument, OPENAPI_PATH } from './openapi.ts';
import { registerBatch } from './routes/batch.ts';
import { registerFeedback } from './routes/feedback.ts';
import { registerHealth } from './routes/health.ts';
import { registerModelInfo } from './routes/model-info.ts';
import { registerPredict } from './routes/predict.ts';
import { registerRead } from './routes/read.ts';
import { readSettings, type Settings } from './settings.ts';
import { readyTfjs, tfjsStartTimings } from './tfjs-wasm.ts';
import { validationError } from './validation-error.ts';

/** What the app runs on; tests replace a part to make it fail on purpose (never a NODE_ENV branch). */
export interface AppDependencies {
  /** Starts tfjs's wasm backend (default: the Worker's own readyTfjs). */
  readonly startRuntime?: () => Promise<void>;
  /** Loads and verifies a version from R2 (default: loadModelFromR2). */
  readonly loadModel?: LoadModel;
}

export function createApp(dependencies: AppDependencies = {}): OpenAPIHono<AppEnv> {
  const settingsByEnv = new WeakMap<Env, Settings>();
  let registry: ModelRegistry | undefined;

  /**
   * The settings of this `env`, read once per `env` object: the runtime passes the same one to every
   * request, tests pass variants (RATE_LIMIT, FEEDBACK) and each gets its own.
   */
  function settingsOf(env: Env): Settings {
    let settings = settingsByEnv.get(env);
    if (settings === undefined) {
      settings = readSettings(env);
      settingsByEnv.set(env, settings);
    }
    return settings;
  }

  /** The model registry, one per app (one app per isolate), built from the first request's settings. */
  function registryOf(settings: Settings): ModelRegistry {
    registry ??= new ModelRegistry({
      bucket: settings.modelsBucket,
      refreshSeconds: settings.modelRefreshSeconds,
      startRuntime: dependencies.startRuntime ?? readyTfjs,
      runtimeStartTimings: tfjsStartTimings,
      ...(dependencies.loadModel ? { loadModel: dependencies.loadModel } : {}),
    });
    return registry;
  }

  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success)
        throw validationError(result.target, result.error.issues, (result as { data?: unknown }).data);
    },
  });

  app.use('*', securityHeaders());
  // One middleware for the whole API (each layer costs a little on every request): CORS, Server-Timing,
  // and what the routes use.
  app.use('/api/*', async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflightResponse();
    const timing = new ServerTiming();
    c.set('timing', timing);
    // The registry starts the wasm runtime with the first model load, so /api/health/live never waits on it.
    const settings = settingsOf(c.env);
    c.set('settings', settings);
    c.set('registry', registryOf(settings));
    c.set('waitUntil', (promise) => {
      try {
        c.executionCtx.waitUntil(promise);
      } catch {
        // No execution context (app.request in a unit test): the promise still runs to completion.
      }
    });
    await next();
    timing.finish(c.res.headers);
  });

  registerPredict(app);
  registerBatch(app);
  registerRead(app);
  registerModelInfo(app);
  registerHealth(app);
  registerFeedback(app);

  const document = buildOpenApiDocument();
  app.get(OPENAPI_PATH, (c) => c.json(document));

  app.notFound((c) => {
    if (c.req.path.startsWith('/api/')) {
      throw new ApiError(404, 'not_found', 'Not found', `No endpoint ${c.req.method} ${c.req.path}.`);
    }
    return settingsOf(c.env).assets.fetch(c.req.raw);
  });
  app.onError((error, c) => handleError(error, settingsOf(c.env), c.req.path));
  return app;
}
