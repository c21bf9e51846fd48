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
});
