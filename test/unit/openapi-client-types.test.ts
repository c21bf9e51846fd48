/**
 * The TypeScript client types used by test/worker/openapi-client.test.ts are generated from the Worker's
 * OpenAPI document by openapi-typescript; this fails when the document changes and they were not
 * regenerated (`npx tsx scripts/write-openapi.ts dist/openapi.json &&
 * npx openapi-typescript dist/openapi.json -o test/worker/helpers/openapi-types.ts`).
 */
import { readFile } from 'node:fs/promises';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../worker/openapi.ts';

describe('the generated OpenAPI client types', () => {
  it('are what openapi-typescript makes of the current document', async () => {
    const generated = astToString(await openapiTS(JSON.stringify(buildOpenApiDocument())));
    const committed = await readFile(new URL('../worker/helpers/openapi-types.ts', import.meta.url), 'utf8');
    // The committed file carries the CLI's header comment; the types below it must match exactly.
    expect(committed.endsWith(generated)).toBe(true);
  });
});
