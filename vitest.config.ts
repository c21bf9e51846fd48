import { defineConfig } from 'vitest/config';

// One project per runtime: plain Node (pure logic, training), workerd (the Worker), Chromium (the site).
export default defineConfig({
  test: {
    projects: ['test/unit/vitest.config.ts', 'test/worker/vitest.config.ts', 'test/e2e/vitest.config.ts'],
  },
});
