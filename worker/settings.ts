/**
 * Every setting the Worker takes from its `env`, parsed in one place. `app.ts` builds it once per isolate
 * and passes it down (`c.var.settings`); nothing else reads `env`. A new setting is one line below.
 */

/** When MODEL_REFRESH_SECONDS is missing or not a number ≥ 0. */
export const DEFAULT_REFRESH_SECONDS = 30;

/** A number ≥ 0 from a `[vars]` string; `fallback` for anything else. "0" stays 0. */
export function nonNegativeNumber(value: unknown, fallback: number): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
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
  } as const;
}

export type Settings = ReturnType<typeof readSettings>;
