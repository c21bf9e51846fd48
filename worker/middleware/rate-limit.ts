/**
 * Per-address rate limits through the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml),
 * keyed on CF-Connecting-IP. Over the limit: 429 problem+json `rate_limited` with Retry-After.
 */

import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { logEvent } from '../log.ts';
import { withTimeout } from '../timeout.ts';

type LimiterBinding = 'PREDICT_RATE_LIMITER' | 'BATCH_RATE_LIMITER' | 'WRITE_RATE_LIMITER';

export interface RateLimitRule {
  /** The `[[ratelimits]]` binding; its `simple = { limit, period }` must equal `limit` and `period`. */
  readonly binding: LimiterBinding;
  readonly limit: number;
  /** Seconds, 10 or 60 (the binding's only periods). */
  readonly period: 10 | 60;
  /** What is counted, for the 429's detail. */
  readonly counts: string;
}

/**
 * The limits as the binding enforces them (wrangler.toml is the setting; test/unit/rate-limit-config.test.ts
 * keeps this table equal to it). Batches get a tighter limit rather than a count per image: one binding
 * call per request keeps the limiter's cost flat.
 */
export const RATE_LIMITS = {
  /** POST /api/predict (and POST /api/read). */
  predict: { binding: 'PREDICT_RATE_LIMITER', limit: 300, period: 60, counts: 'predictions' },
  /** POST /api/predict/batch: up to 256 digits each. */
  batch: { binding: 'BATCH_RATE_LIMITER', limit: 30, period: 60, counts: 'batch requests' },
  /** Endpoints that write (POST /api/feedback). */
  write: { binding: 'WRITE_RATE_LIMITER', limit: 30, period: 60, counts: 'writes' },
} as const satisfies Record<string, RateLimitRule>;

export type RateLimitKind = keyof typeof RATE_LIMITS;

/** A limiter that does not answer within this is skipped (fail open): an outage of it is no outage of the API. */
const LIMITER_TIMEOUT_MS = 1000;

/** The one switch: exactly `off` disables every limit (load tests, benchmarks); anything else keeps them. */
export const rateLimitsOn = (env: Env): boolean => String(env.RATE_LIMIT) !== 'off';

/**
 * Counts the request against `kind`'s limit for the client's address and refuses it with 429 when over.
 *
 * @example
 * app.openapi({ ...predictRoute, middleware: [rateLimit('predict'), limitBody(['json'])] }, handler);
 */
export function rateLimit(kind: RateLimitKind): MiddlewareHandler<AppEnv> {
  const rule: RateLimitRule = RATE_LIMITS[kind];
  return async function rateLimitByAddress(c, next) {
    if (!rateLimitsOn(c.env)) return next();
    // Cloudflare sets CF-Connecting-IP on every request it proxies; without it (local tools) all share one key.
    const key = c.req.header('cf-connecting-ip') ?? 'no-address';
    let allowed = true;
    try {
      ({ success: allowed } = await withTimeout(
        c.env[rule.binding].limit({ key }),
        LIMITER_TIMEOUT_MS,
        `rate limiter ${rule.binding}`,
      ));
    } catch (error) {
      logEvent('warn', 'rate_limiter_failed', { binding: rule.binding, error });
    }
    if (!allowed) {
      throw new ApiError(
        429,
        'rate_limited',
        'Too many requests',
        `The limit is ${rule.limit} ${rule.counts} per ${rule.period} seconds from one address; wait ${rule.period} seconds (Retry-After) before trying again.`,
        { 'retry-after': String(rule.period) },
      );
    }
    return next();
  };
}
