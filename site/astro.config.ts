import { defineConfig } from 'astro/config';

// A fully static site: the Worker serves site/dist through wrangler's static assets on the API's origin.
export default defineConfig({
  output: 'static',
  trailingSlash: 'ignore',
  build: { format: 'directory', inlineStylesheets: 'auto' },
  devToolbar: { enabled: false },
  vite: { build: { target: 'es2022' } },
});
