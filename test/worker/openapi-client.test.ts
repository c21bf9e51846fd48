/**
 * App developers generate clients from /api/openapi.json. This calls the Worker through a client typed by
 * openapi-typescript from that document (helpers/openapi-types.ts) and openapi-fetch: if the document and
 * the code drift apart, either the types stop compiling or these answers stop matching them.
 */
import { exports } from 'cloudflare:workers';
import createClient from 'openapi-fetch';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { BASE } from './helpers/api.ts';
import { clearBucket, committedExport, publish } from './helpers/model-export.ts';
import type { paths } from './helpers/openapi-types.ts';

const worker = (exports as unknown as { default: Fetcher }).default;
const client = createClient<paths>({ baseUrl: BASE, fetch: (request) => worker.fetch(request) });
const model = committedExport();

describe('a client generated from the OpenAPI document', () => {
  beforeAll(async () => {
    await clearBucket();
    await publish(model);
  });

  it('predicts a digit (predictDigit) and names the model version', async () => {
    const pixels = Array.from({ length: PIXEL_COUNT }, (_, i) => (i % 28 === 14 && i > 112 ? 1 : 0));
    const { data, error, response } = await client.POST('/api/predict', { body: { pixels } });
    expect([response.status, error]).toEqual([200, undefined]);
    expect(data?.model.version).toBe(model.version);
    expect(data?.probabilities).toHaveLength(10);
  });

  it('gets a problem answer typed as Problem for bad pixels, with its exact code', async () => {
    const { error, response } = await client.POST('/api/predict', { body: { pixels: [2] } });
    expect([response.status, error?.code]).toEqual([400, 'invalid_pixels']);
  });

  it('reads the model (getModel), pinned by version, and health (getHealth)', async () => {
    const described = await client.GET('/api/model', { params: { query: { version: model.version } } });
    expect(described.data?.version).toBe(model.version);
    const health = await client.GET('/api/health');
    expect(health.data?.model.version).toBe(model.version);
  });
});
