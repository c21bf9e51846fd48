import { describe, expect, it } from 'vitest';
import { unstable_readConfig } from 'wrangler';
import { RATE_LIMITS, rateLimitsOn } from '../../worker/rate-limits.ts';

const root = new URL('../..', import.meta.url).pathname;

describe('the rate limits', () => {
  const config = unstable_readConfig({ config: `${root}wrangler.toml` });

  it('worded in the 429 answers are the ones wrangler.toml gives the bindings', () => {
    const bindings = Object.fromEntries(
      config.ratelimits.map((binding: { name: string; simple: unknown }) => [binding.name, binding.simple]),
    );
    for (const rule of Object.values(RATE_LIMITS)) {
      expect(bindings[rule.binding], rule.binding).toEqual({ limit: rule.limit, period: rule.period });
    }
    expect(Object.keys(bindings).sort()).toEqual(
      Object.values(RATE_LIMITS)
        .map((rule) => rule.binding)
        .sort(),
    );
  });

  it('are on by default and off only for exactly RATE_LIMIT=off', () => {
    expect(config.vars.RATE_LIMIT).toBe('on');
    const env = (value: string) => ({ RATE_LIMIT: value });
    expect(rateLimitsOn(env('on'))).toBe(true);
    expect(rateLimitsOn(env('off'))).toBe(false);
    for (const other of ['OFF', 'false', '0', '', ' off']) expect(rateLimitsOn(env(other)), other).toBe(true);
  });
});
