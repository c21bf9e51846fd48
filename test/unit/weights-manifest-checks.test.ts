import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../core/manifest.ts';
import { WeightsError } from '../../scripts/lib/errors.ts';
import { fileMismatch, parseManifest, sha256Hex } from '../../scripts/lib/manifest-checks.ts';
import { MODELS_BUCKET } from '../../scripts/lib/model-bucket.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const bytes = new TextEncoder().encode('weights');
const entry: FileEntry = { path: 'group1-shard1of1.bin', bytes: bytes.byteLength, sha256: sha256Hex(bytes) };
const valid = {
  format: 'digit-edge-model/1',
  version: '0123456789abcdef',
  files: [{ path: 'model.json', bytes: 2, sha256: sha256Hex(encode({})) }, entry],
};

describe('parseManifest', () => {
  it('accepts a manifest with a version and its files', () => {
    expect(parseManifest(encode(valid), 'manifest.json').version).toBe('0123456789abcdef');
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{'), 'is not valid JSON'],
    ['another format', encode({ ...valid, format: 'x' }), 'has format "x"'],
    ['a version that is a path', encode({ ...valid, version: '../evil' }), 'no usable version'],
    ['no files', encode({ ...valid, files: [] }), 'lists no files'],
    [
      'a file path with a folder',
      encode({ ...valid, files: [...valid.files, { ...entry, path: 'a/b' }] }),
      'malformed',
    ],
    [
      'an upper-case hash',
      encode({ ...valid, files: [{ ...entry, sha256: entry.sha256.toUpperCase() }] }),
      'malformed',
    ],
    ['a negative size', encode({ ...valid, files: [{ ...entry, bytes: -1 }] }), 'malformed'],
    ['a file listed twice', encode({ ...valid, files: [...valid.files, entry] }), 'twice'],
    ['no model.json', encode({ ...valid, files: [entry] }), 'does not list model.json'],
  ])('refuses %s', (_, input, message) => {
    expect(() => parseManifest(input, 'manifest.json')).toThrow(WeightsError);
    expect(() => parseManifest(input, 'manifest.json')).toThrow(message);
  });
});

describe('fileMismatch', () => {
  it('accepts the exact bytes', () => {
    expect(fileMismatch(entry, bytes)).toBeUndefined();
  });

  it('names a missing file, a wrong size and a changed byte', () => {
    expect(fileMismatch(entry, undefined)).toBe('group1-shard1of1.bin is missing');
    expect(fileMismatch(entry, bytes.subarray(1))).toContain('has 6 bytes, the manifest says 7');
    const flipped = bytes.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(fileMismatch(entry, flipped)).toContain(`the manifest says ${entry.sha256}`);
  });
});

describe('the bucket name', () => {
  it('is the one wrangler.toml binds as MODELS', () => {
    const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    expect(toml).toMatch(new RegExp(`binding = "MODELS"\\s*\\nbucket_name = "${MODELS_BUCKET}"`));
  });
});
