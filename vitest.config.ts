import { defineConfig } from 'vitest/config';

// One project per runtime: plain Node (pure logic, training), workerd (the Worker), the real wrangler CLI
// against a local server (weights workflow), and Chromium (the site).
export default defineConfig({
  test: {
    projects: ['test/*/vitest.config.ts'],
  },
});
