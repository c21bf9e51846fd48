/**
 * The checks before a route's own work, as one middleware (each layer of middleware costs a little on
 * every request): the client's rate limit for the route's kind of work, then the body's type and size.
 *
 * @example
 * app.openapi({ ...predictRoute, middleware: guard('predict', ['json', 'image', 'multipart']) }, handler);
 */

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-types.ts';
import type { BodyKind } from '../input/pixels-from-input.ts';
import type { RateLimitKind } from '../rate-limits.ts';
import { limitBody } from './limit-body.ts';
import { checkRateLimit } from './rate-limit.ts';

export function guard(kind: RateLimitKind, accepts: readonly BodyKind[]): MiddlewareHandler<AppEnv> {
  const checkBody = limitBody(accepts);
  return async function guardRoute(c, next) {
    await checkRateLimit(c, kind);
    return checkBody(c, next);
  };
}
