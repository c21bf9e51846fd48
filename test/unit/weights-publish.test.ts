/**
 * The publish/rollback workflow against a real local R2 bucket (Miniflare's, opened in-process through
 * wrangler's getPlatformProxy: the same store `wrangler r2 object --local` writes). The CLI path itself is
 * covered by test/integration.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_POINTER_KEY, versionKey } from '../../core/manifest.ts';
import { WeightsError } from '../../scripts/lib/errors.ts';
import type { DisposableBucket } from '../../scripts/lib/local-bucket.ts';
import { openLocalBucket } from '../../scripts/lib/local-bucket.ts';
import { MODEL_INDEX_KEY, parseIndex, parsePointer } from '../../scripts/lib/model-index.ts';
import { describeVersions, publishExport, rollbackTo } from '../../scripts/lib/publish-model.ts';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A small export with the manifest's shape; the bucket workflow does not look inside the model. */
async function writeExport(dir: string, fill: number): Promise<string> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, Uint8Array> = {
    'model.json': new TextEncoder().encode(`{"fill":${fill}}`),
    'group1-shard1of1.bin': new Uint8Array(3000).fill(fill),
    'curves.svg': new TextEncoder().encode('<svg/>'),
  };
  const entries = Object.entries(files).map(([path, bytes]) => ({
    path,
    bytes: bytes.byteLength,
    sha256: sha256(bytes),
  }));
  for (const [path, bytes] of Object.entries(files)) await writeFile(join(dir, path), bytes);
  const version = sha256(new TextEncoder().encode(entries.map((entry) => entry.sha256).join(''))).slice(
    0,
    16,
  );
  const manifest = {
    format: 'digit-edge-model/1',
    version,
    createdAt: '2026-11-25T10:00:00.000Z',
    precision: 'uint8',
    parameters: 221226,
    files: entries,
    test: { uint8: { accuracy: 0.99 } },
  };
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return version;
}

describe('publishExport and rollbackTo on a local R2 bucket', () => {
  let work: string;
  let bucket: DisposableBucket;
  let v1: string;
  let v2: string;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'digit-edge-publish-'));
    bucket = await openLocalBucket(join(work, 'state'));
    v1 = await writeExport(join(work, 'v1'), 1);
    v2 = await writeExport(join(work, 'v2'), 2);
  });

  afterAll(async () => {
    await bucket?.dispose();
    await rm(work, { recursive: true, force: true });
  });

  const pointer = async () => parsePointer(await bucket.get(CURRENT_POINTER_KEY));

  it('uploads every file and the manifest, then points to the version', async () => {
    const result = await publishExport(bucket, join(work, 'v1'), { log });
    expect(result).toEqual({ version: v1, uploaded: 4, switched: true });
    expect((await pointer())?.version).toBe(v1);
    expect(await bucket.get(versionKey(v1, 'group1-shard1of1.bin'))).toEqual(new Uint8Array(3000).fill(1));
    expect(parseIndex(await bucket.get(MODEL_INDEX_KEY)).versions.map((entry) => entry.version)).toEqual([
      v1,
    ]);
  });

  it('publishing the same version again uploads nothing and keeps the pointer', async () => {
    const before = await pointer();
    const result = await publishExport(bucket, join(work, 'v1'), { log });
    expect(result).toEqual({ version: v1, uploaded: 0, switched: false });
    expect(await pointer()).toEqual(before);
  });

  it('skips everything when asked to and the version is already current', async () => {
    lines.length = 0;
    expect(await publishExport(bucket, join(work, 'v1'), { log, skipIfCurrent: true })).toEqual({
      version: v1,
      uploaded: 0,
      switched: false,
    });
    expect(lines.at(-1)).toContain('already current');
  });

  it('switches to a second version and lists both, marking the current one', async () => {
    expect((await publishExport(bucket, join(work, 'v2'))).switched).toBe(true);
    expect((await pointer())?.version).toBe(v2);
    const table = await describeVersions(bucket);
    expect(table.split('\n').find((row) => row.includes(v2))).toMatch(/^\*/);
    expect(table.split('\n').find((row) => row.includes(v1))).toMatch(/^ /);
  });

  it('repairs a damaged file of an already published version without touching the others', async () => {
    await bucket.put(versionKey(v1, 'curves.svg'), {
      bytes: new TextEncoder().encode('<svg>tampered</svg>'),
    });
    await expect(rollbackTo(bucket, v1)).rejects.toThrow(
      `version ${v1} in the bucket is damaged: curves.svg`,
    );
    const result = await publishExport(bucket, join(work, 'v1'));
    expect(result.uploaded).toBe(1);
    expect(new TextDecoder().decode(await bucket.get(versionKey(v1, 'curves.svg')))).toBe('<svg/>');
  });

  it('rolls back to an intact version and refuses an unknown one', async () => {
    await publishExport(bucket, join(work, 'v2'));
    await rollbackTo(bucket, v1);
    expect((await pointer())?.version).toBe(v1);
    const unknown = rollbackTo(bucket, 'feedfacefeedface');
    await expect(unknown).rejects.toThrow(WeightsError);
    await expect(rollbackTo(bucket, 'feedfacefeedface')).rejects.toThrow(`published: ${v1}, ${v2}`);
  });

  it('refuses an export whose files do not match its manifest before uploading anything', async () => {
    const dir = join(work, 'v3');
    await writeExport(dir, 3);
    await writeFile(join(dir, 'group1-shard1of1.bin'), new Uint8Array(3000).fill(4));
    await expect(publishExport(bucket, dir)).rejects.toThrow(
      /group1-shard1of1\.bin has sha256 [0-9a-f]{64}, the manifest says/,
    );
    await expect(publishExport(bucket, join(work, 'nowhere'))).rejects.toThrow('no model export at');
    expect((await pointer())?.version).toBe(v1);
  });
});
