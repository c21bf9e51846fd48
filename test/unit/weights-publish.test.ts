/**
 * The publish/rollback workflow against a real local R2 bucket (Miniflare's, opened in-process through
 * wrangler's getPlatformProxy: the same store `wrangler r2 object --local` writes). The CLI path itself is
 * covered by test/integration.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CURRENT_BUNDLE_KEY,
  CURRENT_POINTER_KEY,
  DEFAULT_MODEL_DIR,
  MANIFEST_FILE,
  versionKey,
} from '../../core/manifest.ts';
import { decodeModelBundle } from '../../core/model-bundle.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { WeightsError } from '../../scripts/lib/errors.ts';
import type { DisposableBucket } from '../../scripts/lib/local-bucket.ts';
import { openLocalBucket } from '../../scripts/lib/local-bucket.ts';
import { MODEL_INDEX_KEY, parseIndex, parsePointer } from '../../scripts/lib/model-index.ts';
import { describeVersions, publishExport, rollbackTo } from '../../scripts/lib/publish-model.ts';
import { REPO_ROOT } from '../../scripts/lib/wrangler-cli.ts';
import { writePerturbedExport, writeWrongShapeExport } from '../integration/model-variants.ts';

const COMMITTED = resolve(REPO_ROOT, DEFAULT_MODEL_DIR);

/** A valid export: the committed model with one weight bit flipped (`fill` picks which), so a new version. */
async function writeExport(dir: string, fill: number): Promise<string> {
  return (await writePerturbedExport(COMMITTED, dir, fill)).version;
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

  /** The current bundle holds `version`'s manifest and model files, and the pointer that manifest's hash. */
  async function expectCurrentBundle(version: string, dir: string): Promise<void> {
    const stored = await bucket.get(CURRENT_BUNDLE_KEY);
    expect(stored).toBeDefined();
    const files = decodeModelBundle(stored as Uint8Array);
    expect([...files.keys()]).toEqual([MANIFEST_FILE, 'model.json', 'group1-shard1of1.bin']);
    for (const [path, bytes] of files) expect(bytes).toEqual(new Uint8Array(await readFile(join(dir, path))));
    expect(await pointer()).toMatchObject({
      version,
      manifestSha256: await sha256Hex(files.get(MANIFEST_FILE) as Uint8Array),
    });
  }

  it('uploads every file and the manifest, then points to the version', async () => {
    const result = await publishExport(bucket, join(work, 'v1'), { log });
    // Every file the manifest lists, plus the manifest itself.
    const listed = (await readdir(join(work, 'v1'))).length;
    expect(result).toEqual({ version: v1, uploaded: listed, switched: true });
    await expectCurrentBundle(v1, join(work, 'v1'));
    expect(await bucket.get(versionKey(v1, 'group1-shard1of1.bin'))).toEqual(
      new Uint8Array(await readFile(join(work, 'v1', 'group1-shard1of1.bin'))),
    );
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

  it('gives a pointer written before the current bundle its bundle and manifest hash, even when skipping', async () => {
    const published = await pointer();
    await bucket.put(CURRENT_POINTER_KEY, {
      bytes: new TextEncoder().encode(JSON.stringify({ version: v1, publishedAt: published?.publishedAt })),
    });
    const result = await publishExport(bucket, join(work, 'v1'), { skipIfCurrent: true });
    expect(result).toEqual({ version: v1, uploaded: 0, switched: false });
    await expectCurrentBundle(v1, join(work, 'v1'));
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
      `version ${v1} in the bucket would be refused by the Worker: curves.svg`,
    );
    const result = await publishExport(bucket, join(work, 'v1'));
    expect(result.uploaded).toBe(1);
    expect(await bucket.get(versionKey(v1, 'curves.svg'))).toEqual(
      new Uint8Array(await readFile(join(work, 'v1', 'curves.svg'))),
    );
  });

  it('rolls back to an intact version and refuses an unknown one', async () => {
    await publishExport(bucket, join(work, 'v2'));
    await expectCurrentBundle(v2, join(work, 'v2'));
    await rollbackTo(bucket, v1);
    await expectCurrentBundle(v1, join(work, 'v1'));
    const unknown = rollbackTo(bucket, 'feedfacefeedface');
    await expect(unknown).rejects.toThrow(WeightsError);
    await expect(rollbackTo(bucket, 'feedfacefeedface')).rejects.toThrow(`published: ${v1}, ${v2}`);
  });

  it('refuses to roll back to what the Worker would refuse, and leaves the pointer alone', async () => {
    // A consistent manifest, so publishing uploads it; only the Worker's architecture check refuses it.
    const wrongShape = (await writeWrongShapeExport(COMMITTED, join(work, 'shape'))).version;
    await publishExport(bucket, join(work, 'shape'));
    await rollbackTo(bucket, v1);
    await expect(rollbackTo(bucket, wrongShape)).rejects.toThrow(
      'would be refused by the Worker: weight conv1/kernel has shape [3,3,64,1]',
    );
    // v1's manifest stored under another name: it disagrees with where it is.
    await bucket.put(versionKey('renamed', MANIFEST_FILE), {
      bytes: new Uint8Array(await readFile(join(work, 'v1', MANIFEST_FILE))),
    });
    await expect(rollbackTo(bucket, 'renamed')).rejects.toThrow(
      `manifest.json names version ${v1}, stored under renamed`,
    );
    await expect(rollbackTo(bucket, '../v1')).rejects.toThrow('"../v1" is not a version name');
    expect((await pointer())?.version).toBe(v1);
  });

  it('refuses an export whose files do not match its manifest before uploading anything', async () => {
    const dir = join(work, 'v3');
    await writeExport(dir, 3);
    const shard = new Uint8Array(await readFile(join(dir, 'group1-shard1of1.bin')));
    shard[100] = (shard[100] ?? 0) ^ 0xff;
    await writeFile(join(dir, 'group1-shard1of1.bin'), shard);
    await expect(publishExport(bucket, dir)).rejects.toThrow(
      /group1-shard1of1\.bin has sha256 [0-9a-f]{64}, the manifest says/,
    );
    await expect(publishExport(bucket, join(work, 'nowhere'))).rejects.toThrow('no model export at');
    expect((await pointer())?.version).toBe(v1);
  });
});
