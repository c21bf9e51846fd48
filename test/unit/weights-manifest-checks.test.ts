import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CurrentPointerSchema,
  DEFAULT_MODEL_DIR,
  type FileEntry,
  isVersionName,
  MANIFEST_FILE,
} from '../../core/manifest.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { WeightsError } from '../../scripts/lib/errors.ts';
import { fileMismatch, parseManifest } from '../../scripts/lib/manifest-checks.ts';
import { MODELS_BUCKET } from '../../scripts/lib/model-bucket.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const bytes = new TextEncoder().encode('weights');
const entry: FileEntry = {
  path: 'group1-shard1of1.bin',
  bytes: bytes.byteLength,
  sha256: await sha256Hex(bytes),
};
// The committed model's manifest with two files of our own: every metric field is real.
const committed = JSON.parse(
  readFileSync(new URL(`../../${DEFAULT_MODEL_DIR}/${MANIFEST_FILE}`, import.meta.url), 'utf8'),
) as Record<string, unknown>;
const detector = committed.digitDetector as { hiddenWeights: unknown[] };
const scorer = committed.segmentScorer as object;
const valid = {
  ...committed,
  version: '0123456789abcdef',
  files: [{ path: 'model.json', bytes: 2, sha256: await sha256Hex(encode({})) }, entry],
};

describe('parseManifest', () => {
  it('accepts a manifest with a version and its files', () => {
    expect(parseManifest(encode(valid), 'manifest.json').version).toBe('0123456789abcdef');
  });

  it('accepts (and drops) keys it does not know, so newer manifests still read', () => {
    const parsed = parseManifest(encode({ ...valid, laterField: 1 }), 'manifest.json');
    expect(parsed.version).toBe('0123456789abcdef');
    expect('laterField' in parsed).toBe(false);
  });

  it.each([
    ['not JSON', new TextEncoder().encode('{'), 'is not valid JSON'],
    ['another format', encode({ ...valid, format: 'x' }), 'is malformed at format'],
    ['a version that is a path', encode({ ...valid, version: '../evil' }), 'at version: expected a version'],
    ['no files', encode({ ...valid, files: [] }), 'at files'],
    [
      'a file path with a folder',
      encode({ ...valid, files: [...valid.files, { ...entry, path: 'a/b' }] }),
      'at files.2.path',
    ],
    [
      'an upper-case hash',
      encode({ ...valid, files: [{ ...entry, sha256: entry.sha256.toUpperCase() }] }),
      'at files.0.sha256',
    ],
    ['a negative size', encode({ ...valid, files: [{ ...entry, bytes: -1 }] }), 'at files.0.bytes'],
    ['a file listed twice', encode({ ...valid, files: [...valid.files, entry] }), 'lists a file twice'],
    ['no test metrics', encode({ ...valid, test: undefined }), 'at test'],
    ['no model.json', encode({ ...valid, files: [entry] }), 'does not list model.json'],
    [
      'a detector weight that is not a number',
      encode({ ...valid, digitDetector: { ...detector, hiddenWeights: [...detector.hiddenWeights, '1'] } }),
      'at digitDetector.hiddenWeights: expected an array of finite numbers',
    ],
    [
      'a segment score that is not an array',
      encode({ ...valid, segmentScorer: { ...scorer, mean: 0 } }),
      'at segmentScorer.mean: expected an array of finite numbers',
    ],
  ])('refuses %s', (_, input, message) => {
    expect(() => parseManifest(input, 'manifest.json')).toThrow(WeightsError);
    expect(() => parseManifest(input, 'manifest.json')).toThrow(message);
  });
});

describe('fileMismatch', () => {
  it('accepts the exact bytes', async () => {
    expect(await fileMismatch(entry, bytes)).toBeUndefined();
  });

  it('names a missing file, a wrong size and a changed byte', async () => {
    expect(await fileMismatch(entry, undefined)).toBe('group1-shard1of1.bin is missing');
    expect(await fileMismatch(entry, bytes.subarray(1))).toContain('has 6 bytes, the manifest says 7');
    const flipped = bytes.slice();
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(await fileMismatch(entry, flipped)).toContain(`the manifest says ${entry.sha256}`);
  });
});

describe('the version rule', () => {
  it.each(['f28f092f5b6ab39f', 'v2', 'release-1.2_b', 'a'.repeat(64)])('accepts %s', (name) => {
    expect(isVersionName(name)).toBe(true);
    expect(CurrentPointerSchema.safeParse({ version: name, publishedAt: '' }).success).toBe(true);
  });

  it.each(['', '../evil', 'a/b', '.hidden', '-x', 'a'.repeat(65), 'sp ace'])('refuses %j', (name) => {
    expect(isVersionName(name)).toBe(false);
    expect(CurrentPointerSchema.safeParse({ version: name, publishedAt: '' }).success).toBe(false);
  });
});

describe('sha256Hex', () => {
  it('gives the FIPS 180-2 digest of "abc", for strings and bytes alike', async () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await sha256Hex('abc')).toBe(abc);
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe(abc);
  });
});

describe('the bucket name', () => {
  it('is the one wrangler.toml binds as MODELS', () => {
    const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    expect(toml).toMatch(new RegExp(`binding = "MODELS"\\s*\\nbucket_name = "${MODELS_BUCKET}"`));
  });
});
