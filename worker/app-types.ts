import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ServerTiming } from './middleware/api-headers.ts';
import type { ModelRegistry } from './model/model-registry.ts';
import type { Settings } from './settings.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    settings: Settings;
    registry: ModelRegistry;
    waitUntil: (promise: Promise<unknown>) => void;
    /** This request's Server-Timing steps (worker/middleware/api-headers.ts). */
    timing: ServerTiming;
  };
}

export type ApiApp = OpenAPIHono<AppEnv>;
