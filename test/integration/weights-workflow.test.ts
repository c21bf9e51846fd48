/**
 * The weights workflow end to end: operators' commands (real wrangler CLI against local R2 state) and a real
 * `wrangler dev` serving the Worker that follows models/current.json (re-read every second here).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelManifest } from '../../core/manifest.ts';
import { CURRENT_POINTER_KEY, DEFAULT_MODEL_DIR, MANIFEST_FILE, versionKey } from '../../core/manifest.ts';
import { openLocalBucket } from '../../scripts/lib/local-bucket.ts';
import { encodeJson } from '../../scripts/lib/model-index.ts';
import { REPO_ROOT } from '../../scripts/lib/wrangler-cli.ts';
import type { LocalServer } from '../../scripts/local-server.ts';
import { startLocalServer } from '../../scripts/local-server.ts';
import {
  writeFlippedByteExport,
  writeMissingShardExport,
  writePerturbedExport,
  writeWrongShapeExport,
} from './model-variants.ts';
import { health, predict, runWeights, startRequestLoops, waitFor } from './workflow-helpers.ts';

const COMMITTED = resolve(REPO_ROOT, DEFAULT_MODEL_DIR);
/** MODEL_REFRESH_SECONDS = 1, plus the time to load and verify a model: generous for a loaded machine. */
const SWITCH_TIMEOUT_MS = 60_000;

describe('weights workflow through wrangler and a running Worker', () => {
  let work: string;
  let state: string;
  let server: LocalServer;
  let v1: string;
  let v2: ModelManifest;

  const publish = (dir: string) => runWeights('publish', ['--dir', dir, '--local', '--persist-to', state]);

  /**
   * What a broken upload leaves behind: the files that exist, written straight into the bucket (in-process:
   * this simulates a failure, it does not test the CLI), and the pointer switched anyway.
   */
  async function uploadWithoutChecks(dir: string, manifest: ModelManifest): Promise<void> {
    const bucket = await openLocalBucket(state);
    try {
      for (const path of [...manifest.files.map((file) => file.path), MANIFEST_FILE]) {
        const file = join(dir, path);
        if (existsSync(file)) await bucket.put(versionKey(manifest.version, path), { file });
      }
      await bucket.put(CURRENT_POINTER_KEY, {
        bytes: encodeJson({ version: manifest.version, publishedAt: new Date().toISOString() }),
      });
    } finally {
      await bucket.dispose();
    }
  }

  /** Health names `refused` as failed while v2 keeps serving, still 200, and predictions still come from v2. */
  async function expectRefusedWhileV2Serves(refused: string) {
    const status = await waitFor(
      () => health(server.url),
      (seen) => seen.failedVersion === refused,
      SWITCH_TIMEOUT_MS,
    );
    expect(status.status).toBe(200);
    expect(status.version).toBe(v2.version);
    expect((await predict(server.url)).version).toBe(v2.version);
    return status;
  }

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'digit-edge-weights-'));
    state = join(work, 'state');
    server = await startLocalServer({
      persistTo: state,
      seed: false,
      vars: { MODEL_REFRESH_SECONDS: '1', RATE_LIMIT: 'off' },
    });
  });

  afterEach(({ task }) => {
    // A dead or failing server explains most failures here: show what wrangler dev said.
    if (task.result?.state === 'fail') console.error(`wrangler dev output (tail):\n${server?.output()}`);
  });

  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it("runs the Worker's prewarm in workerd's own global scope (no I/O, no timers), before any request", () => {
    // The worker tests load the module outside a global scope: only a real workerd shows a refusal.
    expect(server.output()).toContain('"event":"isolate_prewarmed"');
    expect(server.output()).not.toContain('isolate_prewarm_failed');
  });

  it('answers 503 with Retry-After while the bucket is empty', async () => {
    const status = await health(server.url);
    expect(status.status).toBe(503);
    expect(status.retryAfter).toMatch(/^\d+$/);
    const answer = await predict(server.url);
    expect(answer.status).toBe(503);
    expect(answer.retryAfter).toMatch(/^\d+$/);
  });

  it('publishes v1 and recovers: v1 is served without a restart', async () => {
    const result = await publish(COMMITTED);
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0 }); // on failure the diff shows the command's output
    v1 = (/Published (\S+)/.exec(result.stdout) ?? [])[1] ?? '';
    expect(v1).toMatch(/^[0-9a-f]{16}$/);
    await waitFor(
      () => health(server.url),
      (status) => status.status === 200 && status.version === v1,
      SWITCH_TIMEOUT_MS,
    );
    const answer = await predict(server.url);
    expect(answer.status).toBe(200);
    expect(answer.version).toBe(v1);
    // The isolate had no model: it loaded v1 from the current bundle the CLI wrote beside the pointer.
    expect(server.output()).toMatch(
      /"event":"model_switched","version":"[0-9a-f]{16}"[^\n]*"source":"bundle"/,
    );
  });

  it('publishing the same version again uploads nothing', async () => {
    const result = await publish(COMMITTED);
    expect(result).toMatchObject({ code: 0 }); // on failure the diff shows the command's output
    expect(result.stdout).toContain('nothing to upload');
    expect(result.stdout).not.toContain('uploaded and verified');
  });

  it('switches to v2 within the bound while concurrent requests keep succeeding', async () => {
    v2 = await writePerturbedExport(COMMITTED, join(work, 'v2'), 1);
    expect(v2.version).not.toBe(v1);
    const loops = startRequestLoops(server.url, 8);
    const result = await publish(join(work, 'v2'));
    expect(result).toMatchObject({ code: 0 }); // on failure the diff shows the command's output
    await waitFor(
      () => predict(server.url),
      (answer) => answer.version === v2.version,
      SWITCH_TIMEOUT_MS,
    );
    const answers = await loops.stop();
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(new Set(answers.map((answer) => answer.version))).toEqual(new Set([v1, v2.version]));
  });

  it('lists both versions with v2 marked current', async () => {
    const result = await runWeights('list', ['--persist-to', state]);
    expect(result).toMatchObject({ code: 0 }); // on failure the diff shows the command's output
    const rows = result.stdout.split('\n');
    expect(rows.find((row) => row.includes(v2.version))).toMatch(/^\*/);
    expect(rows.find((row) => row.includes(v1))).toMatch(/^ /);
  });

  it('still lets a client pin v1 while v2 is current, and refuses an unknown version', async () => {
    const pinned = await predict(server.url, v1);
    expect(pinned.status).toBe(200);
    expect(pinned.version).toBe(v1);
    const unknown = await predict(server.url, 'ffffffffffffffff');
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('model_version_not_found');
  });

  it('refuses a version with a wrong weight shape: v2 keeps serving, health reports the failure', async () => {
    const v3 = await writeWrongShapeExport(COMMITTED, join(work, 'v3-shape'));
    // Its manifest is consistent, so the publisher uploads it; only the Worker knows the architecture.
    const result = await publish(join(work, 'v3-shape'));
    expect(result).toMatchObject({ code: 0 }); // on failure the diff shows the command's output
    const status = await expectRefusedWhileV2Serves(v3.version);
    // Public health names the failure in stable words; the storage/verification text goes to the logs only.
    expect(JSON.stringify(status.body)).toContain('"code":"version_refused"');
    expect(JSON.stringify(status.body)).not.toContain('shape');
  });

  it('refuses to publish an export with a flipped byte, and the Worker refuses it when uploaded anyway', async () => {
    const dir = join(work, 'v3-flipped');
    const v3 = await writeFlippedByteExport(COMMITTED, dir, 2);
    const result = await publish(dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('sha256');

    await uploadWithoutChecks(dir, v3);
    await expectRefusedWhileV2Serves(v3.version);
  });

  it('refuses to publish an export missing its shard, and the Worker refuses it when uploaded anyway', async () => {
    const dir = join(work, 'v3-missing');
    const v3 = await writeMissingShardExport(COMMITTED, dir, 3);
    const result = await publish(dir);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('missing');

    await uploadWithoutChecks(dir, v3);
    await expectRefusedWhileV2Serves(v3.version);
  });

  it('rolls back to v1 while concurrent requests keep succeeding', async () => {
    const loops = startRequestLoops(server.url, 8);
    const result = await runWeights('rollback', [v1, '--persist-to', state]);
    expect(result).toMatchObject({ code: 0 }); // on failure the diff shows the command's output
    await waitFor(
      () => predict(server.url),
      (answer) => answer.version === v1,
      SWITCH_TIMEOUT_MS,
    );
    const answers = await loops.stop();
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect((await health(server.url)).version).toBe(v1);
  });

  it('refuses to roll back to an unknown version with one line and a non-zero exit', async () => {
    const result = await runWeights('rollback', ['0123456789abcdef', '--persist-to', state]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim()).toMatch(/^weights: unknown version 0123456789abcdef .*published: .*\S+$/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses to roll back to a damaged version', async () => {
    // The flipped-byte version from above is in the bucket with a shard that does not match its manifest.
    const flipped = await writeFlippedByteExport(COMMITTED, join(work, 'again'), 2);
    const result = await runWeights('rollback', [flipped.version, '--persist-to', state]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('would be refused by the Worker: group1-shard1of1.bin has sha256');
  });
});
