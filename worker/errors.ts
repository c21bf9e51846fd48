/**
 * The API's one error type and the one place errors become `application/problem+json` (RFC 9457) with a
 * stable `code`. Anything unexpected is logged and answered as a 500 without internals.
 */

import { HTTPException } from 'hono/http-exception';
import { ApiError } from './api-error.ts';
import type { ErrorCode } from './error-codes.ts';
import type { BodyKind } from './input/pixels-from-input.ts';
import { logEvent } from './log.ts';
import { ModelVersionNotFoundError } from './model/load-model.ts';
import { ModelRefusedError, NoModelAvailableError } from './model/model-registry.ts';
import { PROBLEM_CONTENT_TYPE } from './schemas.ts';
import type { Settings } from './settings.ts';

export { ApiError };

const TYPE_BASE = 'https://digit-edge.dev/problems/';

interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
}

function problemResponse(error: ApiError): Response {
  const body: Problem = {
    type: `${TYPE_BASE}${error.code.replaceAll('_', '-')}`,
    title: error.title,
    status: error.status,
    detail: error.detail,
    code: error.code,
  };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...error.headers },
  });
}

/** Maps framework and model errors onto ApiError. */
function toApiError(error: unknown, retryAfterSeconds: number): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof NoModelAvailableError) {
    return new ApiError(503, 'model_unavailable', 'No model available', error.message, {
      'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }
  if (error instanceof ModelVersionNotFoundError) {
    return new ApiError(404, 'model_version_not_found', 'Model version not found', error.message);
  }
  if (error instanceof ModelRefusedError) {
    return new ApiError(409, 'model_version_refused', 'Model version refused', error.message);
  }
  if (error instanceof HTTPException) {
    switch (error.status) {
      case 400:
        return new ApiError(400, 'malformed_json', 'Malformed request body', error.message);
      case 413:
        return new ApiError(413, 'body_too_large', 'Request body too large', error.message);
      case 415:
        return new ApiError(415, 'unsupported_media_type', 'Unsupported media type', unsupportedDetail());
      case 404:
        return new ApiError(404, 'not_found', 'Not found', error.message);
    }
  }
  return new ApiError(
    500,
    'internal_error',
    'Internal error',
    'The server failed to answer; the error was logged.',
  );
}

/** A 415's detail: the media types a route takes (every kind, where it is not known). */
export function unsupportedDetail(accepts: readonly BodyKind[] = ['json', 'image', 'multipart']): string {
  if (!accepts.includes('image')) return 'Send application/json; the body this endpoint takes is in /docs.';
  return 'Send application/json ({"pixels": [...]}, with "width" and "height" on /api/read, or {"image": "<base64>"}), image/png, image/jpeg or multipart/form-data with an "image" file.';
}

export function handleError(error: unknown, settings: Settings, path: string): Response {
  const apiError = toApiError(error, settings.modelRefreshSeconds);
  if (apiError.status >= 500 && apiError.code !== 'model_unavailable')
    logEvent('error', 'unhandled_error', { path, error, stack: (error as Error)?.stack });
  return problemResponse(apiError);
}
