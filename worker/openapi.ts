/**
 * The OpenAPI 3.1 document, generated from the same route definitions and zod schemas that validate
 * requests. Pure (no runtime bindings), so a Node test can check it with a standard validator.
 */

import { OpenAPIHono } from '@hono/zod-openapi';
import { feedbackRoute, feedbackStatsRoute, feedbackStatusRoute } from './feedback/contract.ts';
import {
  batchRoute,
  healthRoute,
  liveRoute,
  modelFileRoute,
  modelRoute,
  predictRoute,
  readyRoute,
} from './routes/definitions.ts';
import { readRoute } from './routes/read-contract.ts';

export const OPENAPI_PATH = '/api/openapi.json';

export function buildOpenApiDocument(): ReturnType<OpenAPIHono['getOpenAPI31Document']> {
  const registry = new OpenAPIHono();
  for (const route of [
    predictRoute,
    batchRoute,
    readRoute,
    modelRoute,
    modelFileRoute,
    healthRoute,
    liveRoute,
    readyRoute,
    feedbackRoute,
    feedbackStatusRoute,
    feedbackStatsRoute,
  ]) {
    registry.openAPIRegistry.registerPath(route);
  }
  return registry.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Digit Edge API',
      version: '1.0.0',
      description:
        'Handwritten-digit recognition at the edge. Errors are application/problem+json with a stable `code`; every answer names the model version that produced it.',
      // The repository's LICENSE; package.json's "license" says the same (test/unit/worker-openapi.test.ts).
      license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
    },
    // A public API: no operation needs credentials.
    security: [],
    servers: [{ url: '/', description: 'The origin serving this document' }],
  });
}
