/**
 * `zod` for the Worker bundle, without `z.locales` (zod's error messages in 40-odd languages, about 267 KB
 * of minified JavaScript): `@hono/zod-openapi` uses the `z` namespace as a value, which keeps every export
 * of zod alive, so wrangler.toml's `[alias]` points `zod` here. Everything else is zod's own classic API,
 * its English messages included (the API answers in English). Types are zod's (TypeScript resolves `zod`
 * itself); test/worker/zod-alias.test.ts checks the bundle's zod behaves.
 */

export * from '../../node_modules/zod/v4/classic/external.js';

/** Shadows zod's `locales` namespace, so the bundler drops it. */
export const locales = {};

import * as z from './zod.ts';
import * as core from './zod-core.ts';

/** Shadows `z.core`, which names the locales too. */
export { core, z, z as default };
