/**
 * The API's rate limits, pure (no runtime types) so Node tests can check them against wrangler.toml's
 * `[[ratelimits]]` bindings, which enforce them.
 */

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

/** The one switch, read by readSettings: exactly `off` disables every limit (load tests, benchmarks); anything else keeps them. */
export const rateLimitsOn = (vars: { readonly RATE_LIMIT?: unknown }): boolean =>
  String(vars.RATE_LIMIT) !== 'off';
