/**
 * Per-address rate limits through the Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml),
 * keyed on CF-Connecting-IP. Over the limit: 429 problem+json `rate_limited` with Retry-After. The limits
 * themselves: worker/rate-limits.ts.
 */

import type { Context } from 'hono';
import type { AppEnv } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { logEvent } from '../log.ts';
import { RATE_LIMITS, type RateLimitKind, type RateLimitRule } from '../rate-limits.ts';
import { withTimeout } from '../timeout.ts';

/** A limiter that does not answer within this is skipped (fail open): an outage of it is no outage of the API. */
const LIMITER_TIMEOUT_MS = 1000;

/**
 * Counts the request against `kind`'s limit for the client's address and throws 429 when it is over (the
 * routes call it through `guard`, worker/middleware/guard.ts).
 */
export async function checkRateLimit(c: Context<AppEnv>, kind: RateLimitKind): Promise<void> {
  const rule: RateLimitRule = RATE_LIMITS[kind];
  const limiters = c.get('settings').rateLimiters;
  if (limiters === null) return;
  // Cloudflare sets CF-Connecting-IP on every request it proxies; without it (local tools) all share one key.
  const key = c.req.header('cf-connecting-ip') ?? 'no-address';
  let allowed = true;
  try {
    ({ success: allowed } = await withTimeout(
      limiters[kind].limit({ key }),
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
}
