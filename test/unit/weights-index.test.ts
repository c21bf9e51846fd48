import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MODEL_DIR,
  MANIFEST_FILE,
  type ModelManifest,
  ModelManifestSchema,
} from '../../core/manifest.ts';
import { WeightsError } from '../../scripts/lib/errors.ts';
import {
  EMPTY_INDEX,
  encodeJson,
  formatVersionTable,
  parseIndex,
  parsePointer,
  summariseVersion,
  withVersion,
} from '../../scripts/lib/model-index.ts';

const committed = ModelManifestSchema.parse(
  JSON.parse(readFileSync(new URL(`../../${DEFAULT_MODEL_DIR}/${MANIFEST_FILE}`, import.meta.url), 'utf8')),
);
const metrics = (accuracy: number) => ({ ...committed.test.uint8, accuracy });

const manifest = (version: string, accuracy: number): ModelManifest => ({
  ...committed,
  version,
  createdAt: '2026-11-25T10:00:00.000Z',
  precision: 'uint8',
  parameters: 221226,
  files: [
    { path: 'model.json', bytes: 1024, sha256: 'a'.repeat(64) },
    { path: 'group1-shard1of1.bin', bytes: 221 * 1024, sha256: 'b'.repeat(64) },
  ],
  test: {
    float32: metrics(accuracy + 0.0002),
    float16: metrics(accuracy + 0.0001),
    uint8: metrics(accuracy),
  },
});

describe('the version index', () => {
  it('summarises a manifest: accuracy per precision and total size', () => {
    expect(summariseVersion(manifest('v1', 0.994), '2026-11-25T11:00:00.000Z')).toEqual({
      version: 'v1',
      publishedAt: '2026-11-25T11:00:00.000Z',
      createdAt: '2026-11-25T10:00:00.000Z',
      precision: 'uint8',
      parameters: 221226,
      bytes: 222 * 1024,
      accuracy: { float32: 0.9942, float16: 0.9941, uint8: 0.994 },
    });
  });

  it('appends new versions and keeps the first publication of a version', () => {
    const first = withVersion(
      EMPTY_INDEX,
      summariseVersion(manifest('v1', 0.99), '2026-11-25T11:00:00.000Z'),
    );
    const second = withVersion(first, summariseVersion(manifest('v2', 0.995), '2026-11-25T12:00:00.000Z'));
    const again = withVersion(second, summariseVersion(manifest('v1', 0.99), '2026-11-25T13:00:00.000Z'));
    expect(again).toBe(second);
    expect(again.versions.map((entry) => [entry.version, entry.publishedAt])).toEqual([
      ['v1', '2026-11-25T11:00:00.000Z'],
      ['v2', '2026-11-25T12:00:00.000Z'],
    ]);
  });

  it('round-trips through JSON and treats a missing index as empty', () => {
    const index = withVersion(
      EMPTY_INDEX,
      summariseVersion(manifest('v1', 0.99), '2026-11-25T11:00:00.000Z'),
    );
    expect(parseIndex(encodeJson(index))).toEqual(index);
    expect(parseIndex(undefined)).toEqual(EMPTY_INDEX);
    expect(() => parseIndex(encodeJson({ versions: 3 }))).toThrow(WeightsError);
  });

  it('reads the pointer and refuses a malformed one', () => {
    expect(parsePointer(undefined)).toBeUndefined();
    expect(parsePointer(encodeJson({ version: 'v1', publishedAt: 'now' }))).toEqual({
      version: 'v1',
      publishedAt: 'now',
    });
    expect(() => parsePointer(encodeJson({ version: 1 }))).toThrow(WeightsError);
  });

  it('lists the newest first and marks the current version', () => {
    let index = withVersion(EMPTY_INDEX, summariseVersion(manifest('v1', 0.99), '2026-11-25T11:00:00.000Z'));
    index = withVersion(index, summariseVersion(manifest('v2', 0.995), '2026-11-25T12:00:00.000Z'));
    const lines = formatVersionTable(index, 'v1').split('\n');
    expect(lines[0]).toMatch(/version\s+published\s+precision\s+float32\s+float16\s+uint8\s+size/);
    expect(lines[1]).toMatch(
      /^ {3}v2\s+2026-11-25 12:00:00Z\s+uint8\s+99\.52%\s+99\.51%\s+99\.50%\s+222\.0 KiB$/,
    );
    expect(lines[2]).toMatch(/^\* {2}v1\s+2026-11-25 11:00:00Z/);
    expect(formatVersionTable(EMPTY_INDEX, undefined)).toContain('No model versions are published');
  });
});
