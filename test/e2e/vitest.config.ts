import { defineConfig } from 'vitest/config';

// The site in Debian's Chromium against the real Worker (wrangler dev with local R2 holding the committed
// model), started once in global-setup.ts. One file at a time: the machine has two cores.
export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    globalSetup: ['test/e2e/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
    // Polls wait for the page to catch up; a loaded machine can take many seconds.
    expect: { poll: { timeout: 60_000, interval: 100 } },
  },
});
