/**
 * Rate limits on the real Workers Rate Limiting bindings of wrangler.toml (Miniflare's local limiter):
 * 429 problem+json with Retry-After and the limit in detail, one count per client address, separate
 * limits per kind, and `RATE_LIMIT=off` switching them off.
 */

import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../worker/app.ts';
import { RATE_LIMITS, type RateLimitKind } from '../../worker/rate-limits.ts';
import { BASE, expectProblem } from './helpers/api.ts';

const app = createApp();
const limitsOn = { ...env, RATE_LIMIT: 'on' } as Env;

/** A request the limiter counts and the route then refuses cheaply (400: no pixels), from `address`. */
function cheapRequest(path: string, address: string, bindings: Env): Promise<Response> {
  const request = new Request(`${BASE}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cf-connecting-ip': address },
    body: '{}',
  });
  return Promise.resolve(app.fetch(request, bindings, createExecutionContext()));
}

let addresses = 0;
/** A client address no other test has used (the local limiter keeps its counts for the whole run). */
const freshAddress = (): string => `198.51.100.${++addresses}`;

/**
 * Runs `scenario` inside one limiter window: the local limiter's windows are aligned to the clock, so a
 * run that straddles a boundary starts its counts again and is repeated once with fresh addresses.
 */
async function withinOneWindow(period: number, scenario: () => Promise<void>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const window = Math.floor(Date.now() / (period * 1000));
    try {
      await scenario();
      return;
    } catch (error) {
      if (attempt > 0 || Math.floor(Date.now() / (period * 1000)) === window) throw error;
    }
  }
}

async function exhaust(kind: RateLimitKind, path: string, address: string): Promise<void> {
  for (let i = 0; i < RATE_LIMITS[kind].limit; i++) {
    const response = await cheapRequest(path, address, limitsOn);
    expect(response.status, `request ${i + 1} of ${RATE_LIMITS[kind].limit}`).toBe(400);
  }
}

describe('rate limits', () => {
  it.each([
    ['predict', '/api/predict'],
    ['batch', '/api/predict/batch'],
  ] as const)(
    '%s: the request over the limit gets 429 rate_limited with Retry-After; other addresses do not',
    async (kind, path) => {
      const rule = RATE_LIMITS[kind];
      await withinOneWindow(rule.period, async () => {
        const address = freshAddress();
        await exhaust(kind, path, address);
        const refused = await cheapRequest(path, address, limitsOn);
        const problem = await expectProblem(refused, 429, 'rate_limited');
        expect(refused.headers.get('retry-after')).toBe(String(rule.period));
        expect(problem.detail).toContain(`${rule.limit} ${rule.counts} per ${rule.period} seconds`);
        // CORS lets browser clients read Retry-After.
        expect(refused.headers.get('access-control-expose-headers')).toMatch(/retry-after/i);
        expect((await cheapRequest(path, freshAddress(), limitsOn)).status).toBe(400);
      });
    },
  );

  it('counts POST /api/read as predictions', async () => {
    await withinOneWindow(60, async () => {
      const address = freshAddress();
      await exhaust('predict', '/api/read', address);
      await expectProblem(await cheapRequest('/api/predict', address, limitsOn), 429, 'rate_limited');
    });
  });

  it('counts predictions and batches separately', async () => {
    await withinOneWindow(60, async () => {
      const address = freshAddress();
      await exhaust('batch', '/api/predict/batch', address);
      await expectProblem(await cheapRequest('/api/predict/batch', address, limitsOn), 429, 'rate_limited');
      expect((await cheapRequest('/api/predict', address, limitsOn)).status).toBe(400);
    });
  });

  it('leaves reads alone', async () => {
    const address = freshAddress();
    await withinOneWindow(60, async () => {
      await exhaust('predict', '/api/predict', address);
      const request = new Request(`${BASE}/api/openapi.json`, { headers: { 'cf-connecting-ip': address } });
      expect((await app.fetch(request, limitsOn, createExecutionContext())).status).toBe(200);
    });
  });

  it('is off with exactly RATE_LIMIT=off (the test configuration), on for any other value', async () => {
    expect(env.RATE_LIMIT).toBe('off');
    const address = freshAddress();
    for (let i = 0; i <= RATE_LIMITS.batch.limit; i++) {
      expect((await cheapRequest('/api/predict/batch', address, env)).status).toBe(400);
    }
    await withinOneWindow(60, async () => {
      const other = freshAddress();
      const typo = { ...env, RATE_LIMIT: 'OFF' } as unknown as Env;
      for (let i = 0; i < RATE_LIMITS.batch.limit; i++) await cheapRequest('/api/predict/batch', other, typo);
      await expectProblem(await cheapRequest('/api/predict/batch', other, typo), 429, 'rate_limited');
    });
  });

  it('limits POST /api/feedback with the write limiter, apart from predictions', async () => {
    await withinOneWindow(RATE_LIMITS.write.period, async () => {
      const address = freshAddress();
      await exhaust('write', '/api/feedback', address);
      const refused = await cheapRequest('/api/feedback', address, limitsOn);
      const problem = await expectProblem(refused, 429, 'rate_limited');
      expect(refused.headers.get('retry-after')).toBe(String(RATE_LIMITS.write.period));
      expect(problem.detail).toContain(`${RATE_LIMITS.write.limit} writes per`);
      expect((await cheapRequest('/api/predict', address, limitsOn)).status).toBe(400);
    });
  });
});
