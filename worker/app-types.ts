import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ModelRegistry } from './model/model-registry.ts';

export interface AppEnv {
  Bindings: Env;
  Variables: { registry: ModelRegistry; waitUntil: (promise: Promise<unknown>) => void };
}

export type ApiApp = OpenAPIHono<AppEnv>;
