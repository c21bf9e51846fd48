import { describe, expect, it } from 'vitest';
import { runWrangler, TIMED_OUT_CODE, wranglerFailureReason } from '../../scripts/lib/wrangler-cli.ts';

describe('runWrangler', () => {
  it('kills a call at its deadline and reports it as a failure that says so', async () => {
    const started = Date.now();
    // `wrangler --version` needs far longer than 100 ms just to start npx and Node.
    const result = await runWrangler(['--version'], undefined, { timeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(result.code).toBe(TIMED_OUT_CODE);
    expect(wranglerFailureReason(result)).toMatch(/timed out after 100 ms/);
  });

  it('lets a call that finishes in time through', async () => {
    const result = await runWrangler(['--version'], undefined, { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stdout.toString('utf8')).toMatch(/\d+\.\d+\.\d+/);
  });
});
