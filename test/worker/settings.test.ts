import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { DEFAULT_REFRESH_SECONDS, nonNegativeNumber, readSettings } from '../../worker/settings.ts';

describe('the Worker settings', () => {
  it.each([
    ['0', 0],
    ['1', 1],
    ['2.5', 2.5],
    ['', DEFAULT_REFRESH_SECONDS],
    [' ', DEFAULT_REFRESH_SECONDS],
    ['-1', DEFAULT_REFRESH_SECONDS],
    ['soon', DEFAULT_REFRESH_SECONDS],
    ['Infinity', DEFAULT_REFRESH_SECONDS],
    [undefined, DEFAULT_REFRESH_SECONDS],
  ])('reads MODEL_REFRESH_SECONDS %j as %d', (value, expected) => {
    expect(nonNegativeNumber(value, DEFAULT_REFRESH_SECONDS)).toBe(expected);
  });

  it('are built from the bindings: 0 s refresh in the test config means 0, not the default', () => {
    const settings = readSettings(env);
    expect(settings.modelRefreshSeconds).toBe(0);
    expect(settings.modelsBucket).toBe(env.MODELS);
  });

  it('hold the limiters unless RATE_LIMIT=off (the test config), and the database unless FEEDBACK=off', () => {
    expect(readSettings(env).rateLimiters).toBeNull();
    const limited = readSettings({ ...env, RATE_LIMIT: 'on' } as Env).rateLimiters;
    expect(limited?.predict).toBe(env.PREDICT_RATE_LIMITER);
    expect(limited?.batch).toBe(env.BATCH_RATE_LIMITER);
    expect(limited?.write).toBe(env.WRITE_RATE_LIMITER);
    expect(readSettings(env).feedbackDatabase).toBe(env.FEEDBACK_DB);
    for (const off of ['off', 'OFF']) {
      expect(readSettings({ ...env, FEEDBACK: off } as unknown as Env).feedbackDatabase, off).toBeNull();
    }
  });
});
