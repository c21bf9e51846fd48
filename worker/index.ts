/** Worker entry: the API under /api/*; everything else is the static site (wrangler assets). */

import { createApp } from './app.ts';

export default createApp() satisfies ExportedHandler<Env>;
