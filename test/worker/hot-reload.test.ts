/**
 * The Worker's side of publishing: follows models/current.json, refuses bad versions while the good one
 * keeps serving, answers 503 with nothing loadable and recovers, and serves pinned versions.
 */

import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { MODEL_FILE, versionKey } from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { api, expectProblem, type PredictionBody, postJson } from './helpers/api.ts';
import {
  clearBucket,
  type ModelExport,
  pointTo,
  publish,
  randomExport,
  withFiles,
} from './helpers/model-export.ts';

const pixels = Array.from({ length: PIXEL_COUNT }, (_, i) => ((i * 7) % 13) / 12);

async function predictVersion(query = ''): Promise<string> {
  const response = await postJson(`/api/predict${query}`, { pixels });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as PredictionBody).model.version;
}

/** Polls until the current model is `version` (the switch happens after a background load). */
async function servedEventually(version: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if ((await predictVersion()) === version) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`version ${version} was never served`);
}

interface Health {
  status: string;
  model: { version: string };
  lastFailure: { code: string; version: string | null; at: string } | null;
}

async function health(): Promise<Health> {
  const response = await api('/api/health');
  expect(response.status).toBe(200);
  return (await response.json()) as Health;
}

/** Lets background pointer checks settle: each request starts one, the next request sees its outcome. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await health();
}

async function corrupted(
  base: ModelExport,
  version: string,
  damage: (files: Map<string, Uint8Array>) => void,
  rehash: boolean,
) {
  const files = new Map([...base.files].map(([path, bytes]) => [path, bytes.slice()]));
  if (!rehash) {
    const model = await withFiles(base, version, base.files);
    damage(files);
    return { ...model, files };
  }
  damage(files);
  return withFiles(base, version, files);
}

describe('model versions', () => {
  it('answers 503 with Retry-After on an empty bucket, then recovers once a version is published', async () => {
    await clearBucket();
    const empty = await postJson('/api/predict', { pixels });
    await expectProblem(empty, 503, 'model_unavailable');
    // MODEL_REFRESH_SECONDS is 0 here: the next request re-reads the pointer, so the least Retry-After says.
    expect(empty.headers.get('retry-after')).toBe('1');
    await expectProblem(await api('/api/health'), 503, 'model_unavailable');

    const v1 = await randomExport('v1-test', 1);
    await publish(v1);
    expect(await predictVersion()).toBe('v1-test');
    expect((await health()).status).toBe('ok');
  });

  it('switches to a newly published version while requests keep succeeding', async () => {
    const v2 = await randomExport('v2-test', 2);
    await publish(v2);
    await servedEventually('v2-test');
    expect((await health()).model.version).toBe('v2-test');
  });

  it('keeps serving across a switch under concurrent requests, none failing', async () => {
    const v1b = await randomExport('v1b-test', 11);
    const requests = Array.from({ length: 60 }, (_, i) =>
      (i === 20 ? publish(v1b) : Promise.resolve()).then(() => postJson('/api/predict', { pixels })),
    );
    const responses = await Promise.all(requests);
    const versions = new Set<string>();
    for (const response of responses) {
      expect(response.status).toBe(200);
      versions.add(((await response.json()) as PredictionBody).model.version);
    }
    for (const version of versions) expect(['v2-test', 'v1b-test']).toContain(version);
    await servedEventually('v1b-test');
    await pointTo('v2-test');
    await servedEventually('v2-test');
  });

  it.each<[string, (base: ModelExport) => Promise<ModelExport>]>([
    [
      'a flipped byte in a shard',
      (base) =>
        corrupted(
          base,
          'v3-flipped',
          (files) => {
            const shard = files.get('group1-shard1of1.bin') as Uint8Array;
            shard[100] = (shard[100] as number) ^ 0xff;
          },
          false,
        ),
    ],
    [
      'a missing shard',
      async (base) => {
        const model = await withFiles(base, 'v3-missing', base.files);
        const files = new Map(model.files);
        files.delete('group1-shard1of1.bin');
        return { ...model, files };
      },
    ],
    [
      'a wrong weight shape',
      (base) =>
        corrupted(
          base,
          'v3-shape',
          (files) => {
            const json = JSON.parse(new TextDecoder().decode(files.get(MODEL_FILE))) as {
              weightsManifest: { weights: { name: string; shape: number[] }[] }[];
            };
            const [first, second] = json.weightsManifest[0]?.weights ?? [];
            if (first && second) {
              first.shape = [3, 3, 2, 32];
              second.shape = [64];
            }
            files.set(MODEL_FILE, new TextEncoder().encode(JSON.stringify(json)));
          },
          true,
        ),
    ],
    [
      'a non-finite weight',
      (base) =>
        corrupted(
          base,
          'v3-nan',
          (files) => {
            const shard = files.get('group1-shard1of1.bin') as Uint8Array;
            new DataView(shard.buffer).setFloat32(40, Number.NaN, true);
          },
          true,
        ),
    ],
  ])('refuses %s, keeps serving the previous version and reports the failure', async (_, make) => {
    const bad = await make(await randomExport('base', 2));
    await publish(bad);
    await settle();
    expect(await predictVersion()).toBe('v2-test');
    const report = await health();
    expect(report.status).toBe('degraded');
    expect(report.model.version).toBe('v2-test');
    expect(report.lastFailure?.version).toBe(bad.version);
    await expectProblem(
      await postJson(`/api/predict?version=${bad.version}`, { pixels }),
      409,
      'model_version_refused',
    );
  });

  it('rolls back to an earlier version when the pointer moves back', async () => {
    await pointTo('v1-test');
    await servedEventually('v1-test');
    expect((await health()).status).toBe('ok');
  });

  it('serves a pinned version, and a clear 404 for one that does not exist', async () => {
    expect(await predictVersion('?version=v2-test')).toBe('v2-test');
    expect(await predictVersion('?version=v1b-test')).toBe('v1b-test');
    expect(await predictVersion()).toBe('v1-test');
    const model = await api('/api/model?version=v2-test');
    expect(((await model.json()) as { version: string }).version).toBe('v2-test');
    const missing = await expectProblem(
      await postJson('/api/predict?version=nope-123', { pixels }),
      404,
      'model_version_not_found',
    );
    expect(missing.detail).toContain('nope-123');
    await expectProblem(await postJson('/api/predict?version=../etc', { pixels }), 400, 'invalid_version');
  });

  it('treats a pointer to an unpublished version as a failure and keeps serving', async () => {
    await pointTo('never-uploaded');
    await settle();
    expect(await predictVersion()).toBe('v1-test');
    expect((await health()).lastFailure?.version).toBe('never-uploaded');
    await env.MODELS.delete(versionKey('never-uploaded', 'manifest.json'));
    await pointTo('v1-test');
  });
});
