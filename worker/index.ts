/** Worker entry: the API under /api/*; everything else is the static site (wrangler assets). */

import { createApp } from './app.ts';
import { prewarm } from './prewarm.ts';
import { readyTfjs } from './tfjs-wasm.ts';

const app = createApp();
prewarm(readyTfjs, app);

export default app satisfies ExportedHandler<Env>;
