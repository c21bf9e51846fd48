/**
 * The Worker bundle's zod (wrangler.toml `[alias]` → worker/vendor/zod.ts) is zod without its locales:
 * the same schemas, the same English messages, and the OpenAPI extension @hono/zod-openapi adds to it.
 */

import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { describe, expect, it } from 'vitest';
import * as zod from 'zod';
import { core, locales, z } from '../../worker/vendor/zod.ts';

describe("the bundle's zod", () => {
  it('has no locales, and everything else zod has', () => {
    expect(Object.keys(locales)).toEqual([]);
    expect(Object.keys(core.locales)).toEqual([]);
    const missing = Object.keys(zod).filter((name) => !(name in z));
    expect(missing).toEqual([]);
  });

  it('validates and explains as zod does, in English', () => {
    const schema = z.strictObject({ pixels: z.array(z.number().min(0).max(1)).length(3) });
    const good = { pixels: [0, 0.5, 1] };
    const bad = { pixels: [0, 2], extra: true };
    expect(schema.safeParse(good)).toEqual(
      zod.z.strictObject({ pixels: zod.z.array(zod.z.number()) }).safeParse(good),
    );
    const mine = schema.safeParse(bad);
    const theirs = zod.z
      .strictObject({ pixels: zod.z.array(zod.z.number().min(0).max(1)).length(3) })
      .safeParse(bad);
    expect(mine.success).toBe(false);
    expect(mine.error?.issues).toEqual(theirs.error?.issues);
    expect(mine.error?.issues.map((issue) => issue.message).join(' ')).toMatch(
      /Too (big|small)|Unrecognized key/,
    );
  });

  it('takes the OpenAPI extension that @hono/zod-openapi applies', () => {
    // The same runtime module as zod's for TypeScript purposes (its types are zod's own).
    const bundled = z as unknown as typeof zod.z;
    extendZodWithOpenApi(bundled);
    const schema = bundled.object({ digit: bundled.number() }).openapi('Digit', { description: 'a digit' });
    expect(schema.safeParse({ digit: 7 }).success).toBe(true);
  });
});
