import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const worker = new URL('../../worker/', import.meta.url);

describe("the Worker's env", () => {
  it('is read only by worker/settings.ts and handed to it only by worker/app.ts', () => {
    const readers = readdirSync(worker, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts') && !file.startsWith('vendor'))
      .filter((file) => /\benv\b/.test(readFileSync(new URL(file, worker), 'utf8')))
      .sort();
    expect(readers).toEqual(['app.ts', 'settings.ts']);
  });
});
