import { defineConfig } from 'vitest/config';

// The weights workflow through the real wrangler CLI against a real `wrangler dev`: slow (each wrangler
// call is a 2–3 s Node process), so generous timeouts, and one file at a time (they share the CPU).
export default defineConfig({
  test: {
    name: 'integration',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 600_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
