/**
 * The feedback loop end to end on a small scale, with real wrangler and real local D1: a fresh state gets
 * the migration, people's answers are posted to a running Worker, exported with `npm run feedback:export`,
 * trained on briefly with `npm run train -- --extra`, published with `weights:publish`, and hot-reloaded.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { correctionId, EXTRA_SUMMARY_FILE, pixelsToBytes } from '../../core/corrections.ts';
import { MANIFEST_FILE } from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { queryFeedback } from '../../scripts/lib/feedback-database.ts';
import type { ExportSummary } from '../../scripts/lib/feedback-export.ts';
import { type LocalServer, startLocalServer } from '../../scripts/local-server.ts';
import { EXTRA_REPORT_FILE, type HoldOutReport, loadExtraData } from '../../training/extra-data.ts';
import { generateCorrections } from '../fixtures/corrections.ts';
import { health, runScript, runWeights, waitFor } from './workflow-helpers.ts';

const CORRECTIONS = generateCorrections(60, 2026);

async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('feedback loop through wrangler, D1 and a running Worker', () => {
  let work: string;
  let state: string;
  let server: LocalServer;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'digit-edge-feedback-'));
    state = join(work, 'state');
    server = await startLocalServer({
      persistTo: state,
      vars: { MODEL_REFRESH_SECONDS: '1', RATE_LIMIT: 'off' },
    });
  });

  afterAll(async () => {
    await server?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('applies the migration to a fresh local database', async () => {
    const tables = await queryFeedback<{ name: string }>(
      { mode: 'local', persistTo: state },
      "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name LIKE 'corrections%' ORDER BY name",
    );
    expect(tables.map((table) => table.name)).toEqual(['corrections', 'corrections_by_version']);
    const applied = await queryFeedback<{ name: string }>(
      { mode: 'local', persistTo: state },
      'SELECT name FROM d1_migrations',
    );
    expect(applied.map((migration) => migration.name)).toEqual(['0001_corrections.sql']);
  });

  // Generous: on a quiet machine this takes about 2 minutes, on a shared one much longer.
  it('stores answers, exports them, trains on them, publishes and serves the new model', {
    timeout: 1_500_000,
  }, async () => {
    const served = (await health(server.url)).version as string;
    expect(served).toMatch(/^[0-9a-f]{16}$/);

    // Answer the way the pad does: the model's digit first, then the person's.
    const ids: string[] = [];
    for (const correction of CORRECTIONS) {
      const prediction = await postJson(`${server.url}/api/predict`, { pixels: correction.pixels });
      expect(prediction.status).toBe(200);
      const answer = await postJson(`${server.url}/api/feedback`, {
        ...correction,
        predicted: prediction.body.digit,
        modelVersion: served,
        source: 'pad',
      });
      expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      ids.push(answer.body.id as string);
    }
    const repeat = await postJson(`${server.url}/api/feedback`, {
      ...(CORRECTIONS[0] as object),
      predicted: 3,
      modelVersion: served,
      source: 'api',
    });
    expect(repeat).toEqual({ status: 200, body: { id: ids[0], duplicate: true } });

    const stats = (await (await fetch(`${server.url}/api/feedback/stats`)).json()) as {
      versions: { version: string; received: number }[];
    };
    expect(stats.versions).toEqual([
      expect.objectContaining({ version: served, received: CORRECTIONS.length }),
    ]);

    // Export through wrangler's D1 commands: the rows come back byte for byte, in id order.
    const exportDir = join(work, 'export');
    const exported = await runScript('feedback:export', [
      '--local',
      '--persist-to',
      state,
      '--out',
      exportDir,
    ]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/Exported 60 corrections/);
    const summary = JSON.parse(await readFile(join(exportDir, EXTRA_SUMMARY_FILE), 'utf8')) as ExportSummary;
    expect(summary).toMatchObject({ count: 60, perVersion: { [served]: 60 }, perSource: { pad: 60 } });
    const read = await loadExtraData(exportDir);
    const expected = await Promise.all(
      CORRECTIONS.map(async (correction) => {
        const bytes = pixelsToBytes(correction.pixels);
        return { id: await correctionId(bytes, correction.label), bytes, label: correction.label };
      }),
    );
    expected.sort((a, b) => (a.id < b.id ? -1 : 1));
    expected.forEach((correction, i) => {
      expect(new Uint8Array(read.images.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT))).toEqual(
        correction.bytes,
      );
      expect(read.labels[i]).toBe(correction.label);
    });

    // Train briefly on MNIST plus the corrections; a share of them is held out and reported.
    const modelDir = join(work, 'model');
    const trained = await runScript('train', [
      '--epochs',
      '1',
      '--limit',
      '500',
      '--validation',
      '200',
      '--test-limit',
      '300',
      '--tail',
      '0',
      '--extra',
      exportDir,
      '--out',
      modelDir,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stdout).toMatch(/extra: 60 corrections .* 48 trained on \(×5\), 12 held out/);
    expect(trained.stdout).toMatch(/held-out corrections: \d+\.\d\d% of 12 \| MNIST test: \d+\.\d\d%/);
    const report = JSON.parse(await readFile(join(modelDir, EXTRA_REPORT_FILE), 'utf8')) as HoldOutReport;
    expect(report).toMatchObject({ corrections: 60, heldOut: 12, trainedOn: 48, weight: 5 });
    expect(report.heldOutAccuracy).toBeGreaterThanOrEqual(0);
    expect(report.heldOutAccuracy).toBeLessThanOrEqual(1);
    const manifest = JSON.parse(await readFile(join(modelDir, MANIFEST_FILE), 'utf8')) as {
      version: string;
      training: { trainExamples: number };
    };
    expect(manifest.training.trainExamples).toBe(500 + 48 * 5);

    // Publish and watch the running Worker switch to it.
    const published = await runWeights('publish', ['--dir', modelDir, '--local', '--persist-to', state]);
    expect(published.code, published.stderr).toBe(0);
    await waitFor(
      () => health(server.url),
      (status) => status.version === manifest.version,
      60_000,
    );
    // The new version starts with no answers of its own; the old one keeps its figure.
    const after = (await (await fetch(`${server.url}/api/model`)).json()) as {
      version: string;
      feedback: { received: number; selfReported: boolean };
    };
    expect(after.version).toBe(manifest.version);
    expect(after.feedback).toMatchObject({ received: 0, selfReported: true });
    const previous = (await (await fetch(`${server.url}/api/model?version=${served}`)).json()) as {
      feedback: { received: number };
    };
    expect(previous.feedback.received).toBe(60);
  });
});
