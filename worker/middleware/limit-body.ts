/**
 * Rejects unsupported content types (415) and bodies over the limit (413) before any body is read whole:
 * Content-Length is checked first, and a body without one is counted while it streams in.
 */

import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-types.ts';
import { ApiError, unsupportedDetail } from '../errors.ts';
import { type BodyKind, bodyKindOf, MAX_IMAGE_BYTES, MAX_JSON_BYTES } from '../input/pixels-from-input.ts';

const MULTIPART_OVERHEAD = 64 * 1024;

const tooLarge = (limit: number) => () => {
  throw new ApiError(
    413,
    'body_too_large',
    'Request body too large',
    `The request body exceeds ${limit} bytes.`,
  );
};

const limits = {
  json: bodyLimit({ maxSize: MAX_JSON_BYTES, onError: tooLarge(MAX_JSON_BYTES) }),
  image: bodyLimit({ maxSize: MAX_IMAGE_BYTES, onError: tooLarge(MAX_IMAGE_BYTES) }),
  multipart: bodyLimit({
    maxSize: MAX_IMAGE_BYTES + MULTIPART_OVERHEAD,
    onError: tooLarge(MAX_IMAGE_BYTES + MULTIPART_OVERHEAD),
  }),
};

export function limitBody(accepts: readonly BodyKind[]): MiddlewareHandler<AppEnv> {
  return async function limitBodyByType(c, next) {
    const kind = bodyKindOf(c.req.header('content-type'));
    if (kind === undefined || !accepts.includes(kind)) {
      throw new ApiError(415, 'unsupported_media_type', 'Unsupported media type', unsupportedDetail(accepts));
    }
    return limits[kind](c, next);
  };
}
