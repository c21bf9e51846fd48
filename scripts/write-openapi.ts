/**
 * Writes the Worker's OpenAPI document to a file (default dist/openapi.json), for `redocly lint` in
 * `npm test` and for client generators: `npx tsx scripts/write-openapi.ts [FILE]`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { buildOpenApiDocument } from '../worker/openapi.ts';

const out = process.argv[2] ?? 'dist/openapi.json';
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${out}`);
