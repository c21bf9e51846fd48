/** zod's `core` namespace without its `locales` (see ./zod.ts). */

export * from '../../node_modules/zod/v4/core/index.js';

/** Shadows zod's `core.locales`, so the bundler drops it. */
export const locales = {};
