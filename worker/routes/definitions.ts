/**
 * Every endpoint's contract (method, path, zod schemas for input and output, problem statuses), kept free
 * of runtime code: the handlers in this folder implement them and worker/openapi.ts documents them.
 */

import { createRoute, z } from '@hono/zod-openapi';
import {
  BatchBody,
  BatchResponse,
  HealthResponse,
  LiveResponse,
  ModelResponse,
  MultipartBody,
  PROBLEM_CONTENT_TYPE,
  PredictJsonBody,
  PredictResponse,
  ProblemSchema,
  ReadyResponse,
  VersionQuery,
} from '../schemas.ts';

const binary = { schema: { type: 'string' as const, format: 'binary' } };

/** An answer with a JSON body: the `responses` entry of a status. */
export const jsonAnswer = <Schema>(description: string, schema: Schema) => ({
  description,
  content: { 'application/json': { schema } },
});

/** A required JSON request body. */
export const jsonBody = <Schema>(schema: Schema) => ({
  required: true,
  content: { 'application/json': { schema } },
});

/**
 * The request body of a route taking one image in any of four forms (POST /api/predict, POST /api/read):
 * `json` is the schema of the JSON form.
 */
export const imageBody = <Schema>(json: Schema) => ({
  // Not `required`: zod-openapi would then run the JSON and form validators on every body type.
  description: 'Exactly one of the four forms; the Content-Type header says which.',
  content: {
    'application/json': { schema: json },
    'image/png': binary,
    'image/jpeg': binary,
    'multipart/form-data': { schema: MultipartBody },
  },
});
const MODEL_PICTURES = ['curves.svg', 'confusion.svg', 'reliability.svg'] as const;

const descriptions: Record<number, string> = {
  400: 'Malformed JSON or invalid input',
  404: 'Unknown model version',
  409: 'The pinned model version failed verification',
  413: 'Body over the size limit, or the images of the request over the decoding budget (12 Mi decoded pixels)',
  415: 'Unsupported content type',
  422: 'Image undecodable, over a size limit (baseline JPEG 8192×8192, progressive JPEG 2.5 MP, PNG 2048×2048 and 16 MiB uncompressed) or blank',
  429: 'Too many requests from this address (see Retry-After; the limit is in detail)',
  503: 'No model can be loaded yet (see Retry-After)',
};

/** OpenAPI response entries for the problem statuses a route can answer. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      },
    ]),
  );
}

export const predictRoute = createRoute({
  method: 'post',
  path: '/api/predict',
  operationId: 'predictDigit',
  summary: 'Recognise one handwritten digit',
  request: {
    query: VersionQuery,
    body: imageBody(PredictJsonBody),
  },
  responses: {
    200: jsonAnswer('The predicted digit', PredictResponse),
    ...problemResponses(400, 404, 409, 413, 415, 422, 429, 503),
  },
});

export const batchRoute = createRoute({
  method: 'post',
  path: '/api/predict/batch',
  operationId: 'predictDigitBatch',
  summary: 'Recognise up to 256 digits in one call',
  request: {
    query: VersionQuery,
    body: jsonBody(BatchBody),
  },
  responses: {
    200: jsonAnswer('One prediction per image, in order', BatchResponse),
    ...problemResponses(400, 404, 409, 413, 415, 422, 429, 503),
  },
});

export const modelRoute = createRoute({
  method: 'get',
  path: '/api/model',
  operationId: 'getModel',
  summary: 'The served model: version, architecture, size and test metrics',
  request: { query: VersionQuery },
  responses: {
    200: jsonAnswer('The model', ModelResponse),
    ...problemResponses(400, 404, 409, 503),
  },
});

export const modelFileRoute = createRoute({
  method: 'get',
  path: '/api/model/files/{name}',
  operationId: 'getModelFile',
  summary: "The model's training curves or confusion matrix (SVG)",
  request: { params: z.object({ name: z.enum(MODEL_PICTURES) }), query: VersionQuery },
  responses: {
    200: { description: 'The picture', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
    ...problemResponses(400, 404, 409, 503),
  },
});

export const healthRoute = createRoute({
  method: 'get',
  path: '/api/health',
  operationId: 'getHealth',
  summary: 'Whether a model is loaded, which one, and the last load failure',
  responses: {
    200: jsonAnswer('A model serves', HealthResponse),
    ...problemResponses(503),
  },
});

export const liveRoute = createRoute({
  method: 'get',
  path: '/api/health/live',
  operationId: 'getLiveness',
  summary: 'Liveness: the Worker answers (touches neither the model nor storage)',
  responses: {
    200: jsonAnswer('The Worker is live', LiveResponse),
  },
});

export const readyRoute = createRoute({
  method: 'get',
  path: '/api/health/ready',
  operationId: 'getReadiness',
  summary: 'Readiness: a verified model is loaded (loads it if none is)',
  responses: {
    200: jsonAnswer('Ready to predict', ReadyResponse),
    ...problemResponses(503),
  },
});
