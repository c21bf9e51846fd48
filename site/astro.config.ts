import { defineConfig } from 'astro/config';

// A fully static site: the Worker serves site/dist through wrangler's static assets on the API's origin.
export default defineConfig({
  output: 'static',
  trailingSlash: 'ignore',
  // Lossless: Astro 7's default ('jsx') drops the space at a line break next to an element ("as for<code>…").
  compressHTML: true,
  // No inline <script>/<style>: the Content-Security-Policy (worker/middleware/security-headers.ts) allows only files.
  build: { format: 'directory', inlineStylesheets: 'never' },
  devToolbar: { enabled: false },
  vite: { build: { target: 'es2022', assetsInlineLimit: 0 } },
});
