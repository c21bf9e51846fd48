/**
 * POST /api/feedback and the per-version statistics, inside workerd against real local D1 (the tables come
 * from migrations/ through the setup file, the way `wrangler d1 migrations apply` makes them).
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { correctionId, pixelsToBytes } from '../../core/corrections.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { createApp } from '../../worker/app.ts';
import type { FeedbackCreated, FeedbackStats } from '../../worker/feedback/contract.ts';
import { generateCorrections } from '../fixtures/corrections.ts';
import { api, BASE, expectProblem, postJson } from './helpers/api.ts';
import { clearBucket, committedExport, publish } from './helpers/model-export.ts';

const model = committedExport();
const samples = generateCorrections(40, 1301);
const sample = samples[7] as { pixels: number[]; label: number };

type Created = z.infer<typeof FeedbackCreated>;
type Stats = z.infer<typeof FeedbackStats>;

const correction = (overrides: Record<string, unknown> = {}) => ({
  pixels: sample.pixels,
  label: sample.label,
  predicted: 1,
  modelVersion: model.version,
  source: 'pad',
  ...overrides,
});

beforeAll(async () => {
  await clearBucket();
  await publish(model);
});

beforeEach(async () => {
  await env.FEEDBACK_DB.exec('DELETE FROM corrections');
});

describe('the migration', () => {
  it('creates the corrections table with its constraints', async () => {
    const columns = await env.FEEDBACK_DB.prepare('SELECT name, type FROM pragma_table_info(?1)')
      .bind('corrections')
      .all<{ name: string; type: string }>();
    expect(columns.results.map((column) => `${column.name} ${column.type}`)).toEqual([
      'id TEXT',
      'created_at TEXT',
      'model_version TEXT',
      'label INTEGER',
      'predicted INTEGER',
      'pixels BLOB',
      'source TEXT',
    ]);
    // The database itself refuses what the API would never store.
    const insert = (label: number, pixels: Uint8Array) =>
      env.FEEDBACK_DB.prepare(
        "INSERT INTO corrections VALUES (?1, '2026-01-01T00:00:00Z', 'v', ?2, 0, ?3, 'api')",
      )
        .bind('0'.repeat(64), label, pixels)
        .run();
    await expect(insert(10, new Uint8Array(PIXEL_COUNT))).rejects.toThrow(/CHECK/);
    await expect(insert(3, new Uint8Array(100))).rejects.toThrow(/CHECK/);
  });
});

describe('POST /api/feedback', () => {
  it('stores the 28×28 image as 784 bytes with the labels, version and source, and answers 201', async () => {
    const before = Date.now();
    const response = await postJson('/api/feedback', correction({ source: 'api' }));
    expect(response.status, await response.clone().text()).toBe(201);
    const body = (await response.json()) as Created;
    const bytes = pixelsToBytes(sample.pixels);
    expect(body).toEqual({ id: await correctionId(bytes, sample.label), duplicate: false });
    const row = await env.FEEDBACK_DB.prepare('SELECT * FROM corrections WHERE id = ?1')
      .bind(body.id)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      model_version: model.version,
      label: sample.label,
      predicted: 1,
      source: 'api',
    });
    expect(new Uint8Array(row?.pixels as ArrayBuffer)).toEqual(bytes);
    expect(Date.parse(row?.created_at as string)).toBeGreaterThanOrEqual(before - 1000);
  });

  it('is idempotent for the same image and label: 200 with the same id, one row', async () => {
    const first = (await (await postJson('/api/feedback', correction())).json()) as Created;
    const again = await postJson('/api/feedback', correction({ predicted: 4, source: 'api' }));
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ id: first.id, duplicate: true });
    // The same image with another label is another correction.
    const other = await postJson('/api/feedback', correction({ label: (sample.label + 1) % 10 }));
    expect(other.status).toBe(201);
    expect(((await other.json()) as Created).id).not.toBe(first.id);
    const count = await env.FEEDBACK_DB.prepare('SELECT COUNT(*) AS n FROM corrections').first<number>('n');
    expect(count).toBe(2);
  });

  it.each([
    ['pixels of the wrong length', { pixels: sample.pixels.slice(1) }, 'invalid_pixels', /784/],
    ['a pixel above 1', { pixels: [2, ...sample.pixels.slice(1)] }, 'invalid_pixels', /pixels\.0/],
    ['a label that is not a digit', { label: 10 }, 'invalid_request', /label/],
    ['a fractional prediction', { predicted: 2.5 }, 'invalid_request', /predicted/],
    ['an unknown source', { source: 'email' }, 'invalid_request', /source/],
    ['a version with a slash', { modelVersion: '../current' }, 'invalid_request', /modelVersion/],
    ['a missing label', { label: undefined }, 'invalid_request', /label/],
    ['an extra field', { ip: '203.0.113.9' }, 'invalid_request', /ip/],
  ])('refuses %s with a 400 problem', async (_name, overrides, code, detail) => {
    const problem = await expectProblem(await postJson('/api/feedback', correction(overrides)), 400, code);
    expect(problem.detail).toMatch(detail);
    const count = await env.FEEDBACK_DB.prepare('SELECT COUNT(*) AS n FROM corrections').first<number>('n');
    expect(count).toBe(0);
  });

  it('refuses malformed JSON and other content types', async () => {
    const headers = { 'content-type': 'application/json' };
    await expectProblem(
      await api('/api/feedback', { method: 'POST', headers, body: '{"label": 3,' }),
      400,
      'malformed_json',
    );
    const unsupported = await expectProblem(
      await api('/api/feedback', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'seven',
      }),
      415,
      'unsupported_media_type',
    );
    // Named by what this endpoint takes: JSON, not the pictures /api/predict takes.
    expect(unsupported.detail).toMatch(/^Send application\/json;/);
    expect(unsupported.detail).not.toMatch(/image/);
    // A picture is a type this endpoint does not take either, and gets the same answer.
    const picture = await expectProblem(
      await api('/api/feedback', { method: 'POST', headers: { 'content-type': 'image/png' }, body: 'x' }),
      415,
      'unsupported_media_type',
    );
    expect(picture.detail).toBe(unsupported.detail);
  });
});

describe('FEEDBACK=off', () => {
  const offRequest = async (path: string, init?: RequestInit) => {
    const context = createExecutionContext();
    const response = await createApp().fetch(
      new Request(`${BASE}${path}`, init),
      { ...env, FEEDBACK: 'off' } as unknown as Env,
      context,
    );
    await waitOnExecutionContext(context);
    return response;
  };

  it('answers 404 on every feedback endpoint and drops the figure from /api/model', async () => {
    const post = await offRequest('/api/feedback', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(correction()),
    });
    expect((await expectProblem(post, 404, 'not_found')).detail).toMatch(/FEEDBACK=off/);
    await expectProblem(await offRequest('/api/feedback'), 404, 'not_found');
    await expectProblem(await offRequest('/api/feedback/stats'), 404, 'not_found');
    const described = (await (await offRequest('/api/model')).json()) as { feedback: unknown };
    expect(described.feedback).toBeNull();
    const count = await env.FEEDBACK_DB.prepare('SELECT COUNT(*) AS n FROM corrections').first<number>('n');
    expect(count).toBe(0);
  });

  it('is on by default and says what is stored', async () => {
    const response = await api('/api/feedback');
    expect(response.status).toBe(200);
    const body = (await response.json()) as { enabled: boolean; stored: string };
    expect(body.enabled).toBe(true);
    expect(body.stored).toMatch(/28×28 image/);
    expect(body.stored).toMatch(/never an IP address/i);
  });
});

describe('per-version statistics', () => {
  /** Posts corrections[i] as answered `predicted[i]` by `version`. */
  async function answer(version: string, predicted: number[], from: number): Promise<void> {
    for (const [offset, guess] of predicted.entries()) {
      const { pixels, label } = samples[from + offset] as { pixels: number[]; label: number };
      const response = await postJson('/api/feedback', {
        pixels,
        label,
        predicted: guess ?? label,
        modelVersion: version,
        source: 'pad',
      });
      expect(response.status).toBe(201);
    }
  }

  it('counts answers, the share said right and the most confused pairs per version, with SQL', async () => {
    // samples[i].label = i % 10. Version "older": 10 answers, 6 right; 7→1 twice, 9→4 once, 3→8 once.
    // samples 0..9 have labels 0..9
    await answer('older', [0, 1, 2, 8, 4, 5, 6, 1, 8, 4], 0);
    // samples 17 (label 7) answered 1 again
    await answer('older', [1], 17);
    await answer(model.version, [0, 1, 2, 3], 20);

    const response = await api('/api/feedback/stats');
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Stats;
    expect(stats.selfReported).toBe(true);
    expect(stats.note).toMatch(/self-reported/i);
    const older = stats.versions.find((entry) => entry.version === 'older');
    expect(older).toMatchObject({ received: 11, saidRight: 7 });
    expect(older?.shareRight).toBeCloseTo(7 / 11, 10);
    expect(older?.confusedPairs).toEqual([
      { label: 7, predicted: 1, count: 2 },
      { label: 3, predicted: 8, count: 1 },
      { label: 9, predicted: 4, count: 1 },
    ]);
    const served = stats.versions.find((entry) => entry.version === model.version);
    expect(served).toMatchObject({ received: 4, saidRight: 4, shareRight: 1, confusedPairs: [] });
    // Most recently answered first.
    expect(stats.versions[0]?.version).toBe(model.version);

    const only = (await (await api('/api/feedback/stats?version=older')).json()) as Stats;
    expect(only.versions.map((entry) => entry.version)).toEqual(['older']);
  });

  it("shows the served version's figure in GET /api/model, labelled self-reported", async () => {
    const empty = (await (await api('/api/model')).json()) as { feedback: Record<string, unknown> };
    expect(empty.feedback).toMatchObject({
      version: model.version,
      received: 0,
      shareRight: null,
      selfReported: true,
    });
    await answer(model.version, [0, 7, 2], 30);
    const described = (await (await api('/api/model')).json()) as { feedback: Record<string, unknown> };
    expect(described.feedback).toMatchObject({
      version: model.version,
      received: 3,
      saidRight: 2,
      confusedPairs: [{ label: 1, predicted: 7, count: 1 }],
      selfReported: true,
    });
  });
});
