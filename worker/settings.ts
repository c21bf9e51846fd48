/**
 * Every setting and binding the Worker takes from its `env`, parsed in one place. `app.ts` builds it once
 * per `env` object and passes it down (`c.get('settings')`); nothing else reads `env`. A new setting is one
 * line below.
 */

import { RATE_LIMITS, type RateLimitKind, rateLimitsOn } from './rate-limits.ts';

/** When MODEL_REFRESH_SECONDS is missing or not a number ≥ 0. */
export const DEFAULT_REFRESH_SECONDS = 30;

/** A number ≥ 0 from a `[vars]` string; `fallback` for anything else. "0" stays 0. */
export function nonNegativeNumber(value: unknown, fallback: number): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

/** The limiter binding of each kind of limit, as RATE_LIMITS names them. */
function rateLimiters(env: Env): Record<RateLimitKind, RateLimit> {
  const { predict, batch, write } = RATE_LIMITS;
  return { predict: env[predict.binding], batch: env[batch.binding], write: env[write.binding] };
}

/** FEEDBACK: on unless "off" (any case), and only with its D1 binding. */
function feedbackDatabase(env: Env): D1Database | null {
  const on = String(env.FEEDBACK ?? 'on').toLowerCase() !== 'off';
  return on && env.FEEDBACK_DB !== undefined ? env.FEEDBACK_DB : null;
}

/** The typed settings from the Worker's bindings and vars. */
export function readSettings(env: Env) {
  return {
    /** R2 bucket holding `models/<version>/…` and the pointer. */
    modelsBucket: env.MODELS,
    /** The static site. */
    assets: env.ASSETS,
    /** Seconds between re-reads of the pointer; 0 = on every request. Also the 503's Retry-After (≥ 1). */
    modelRefreshSeconds: nonNegativeNumber(env.MODEL_REFRESH_SECONDS, DEFAULT_REFRESH_SECONDS),
    /** The per-address limiter of each kind of limit; null when RATE_LIMIT=off. */
    rateLimiters: rateLimitsOn(env) ? rateLimiters(env) : null,
    /** Where corrections are stored; null when FEEDBACK=off (the feedback endpoints answer 404). */
    feedbackDatabase: feedbackDatabase(env),
  } as const;
}

export type Settings = ReturnType<typeof readSettings>;
