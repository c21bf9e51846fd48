import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ModelRegistry } from './model/model-registry.ts';
import type { Settings } from './settings.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: {
    settings: Settings;
    registry: ModelRegistry;
    waitUntil: (promise: Promise<unknown>) => void;
  };
}

export type ApiApp = OpenAPIHono<AppEnv>;
