/**
 * POST /api/predict and /api/predict/batch through the real Worker in workerd, with the committed model
 * published to local R2: every input form and every error path.
 */

import { encode as encodePngImage } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { IMAGE_SIZE, PIXEL_COUNT } from '../../core/model-spec.ts';
import { renderDigit } from '../fixtures/render-digit.ts';
import { api, expectProblem, type PredictionBody, postJson } from './helpers/api.ts';
import { encodeJpeg, encodePng, mnistDigits, toBase64 } from './helpers/images.ts';
import { clearBucket, committedExport, publish } from './helpers/model-export.ts';

const model = committedExport();
const digits = mnistDigits();
const asPixels = (digit: Uint8Array): number[] => Array.from(digit, (v) => v / 255);

/** MNIST digit 0 (a 7) drawn big and off-centre, dark ink on white paper. */
const sevenImage = renderDigit(digits.at(0), {
  width: 300,
  height: 220,
  size: 180,
  left: 90,
  top: 20,
  style: 'dark-on-light',
});
const sevenPng = encodePng(sevenImage);
const sevenJpeg = encodeJpeg(sevenImage);

function expectPrediction(body: PredictionBody, digit: number): void {
  expect(body.digit).toBe(digit);
  expect(body.probabilities).toHaveLength(10);
  expect(body.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  expect(body.confidence).toBe(body.probabilities[digit]);
  expect(body.model.version).toBe(model.version);
}

async function predicted(response: Response, digit: number): Promise<Response> {
  const text = await response.clone().text();
  expect(response.status, text).toBe(200);
  expectPrediction(JSON.parse(text) as PredictionBody, digit);
  return response;
}

beforeAll(async () => {
  expect(digits.labels[0]).toBe(7);
  await clearBucket();
  await publish(model);
});

describe('POST /api/predict input forms', () => {
  it('takes 784 pixels as JSON', async () => {
    const response = await predicted(await postJson('/api/predict', { pixels: asPixels(digits.at(0)) }), 7);
    expect(response.headers.get('server-timing')).toMatch(/inference;dur=[\d.]+/);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('takes a base64 PNG, with or without a data: URL prefix, and a base64 JPEG', async () => {
    await predicted(await postJson('/api/predict', { image: toBase64(sevenPng) }), 7);
    await predicted(
      await postJson('/api/predict', { image: `data:image/png;base64,${toBase64(sevenPng)}` }),
      7,
    );
    await predicted(await postJson('/api/predict', { image: toBase64(sevenJpeg) }), 7);
  });

  it('takes image/png and image/jpeg bodies', async () => {
    await predicted(
      await api('/api/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body: sevenPng }),
      7,
    );
    await predicted(
      await api('/api/predict', {
        method: 'POST',
        headers: { 'content-type': 'image/jpeg' },
        body: sevenJpeg,
      }),
      7,
    );
  });

  it('takes a multipart upload with an image field, as mobile apps send', async () => {
    const form = new FormData();
    form.append('image', new File([sevenPng], 'seven.png', { type: 'image/png' }));
    await predicted(await api('/api/predict', { method: 'POST', body: form }), 7);
  });

  it('reads a canvas export with the ink in the alpha channel', async () => {
    const canvas = renderDigit(digits.at(1), {
      width: 280,
      height: 280,
      size: 260,
      left: 10,
      top: 10,
      style: 'alpha',
    });
    await predicted(
      await postJson('/api/predict', { image: toBase64(encodePng(canvas)) }),
      digits.labels[1] as number,
    );
  });
});

describe('POST /api/predict/batch', () => {
  it('answers every item in order, pixels and images mixed', async () => {
    const images = [
      { pixels: asPixels(digits.at(0)) },
      { image: toBase64(sevenPng) },
      { pixels: asPixels(digits.at(1)) },
      { pixels: asPixels(digits.at(2)) },
    ];
    const response = await postJson('/api/predict/batch', { images });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { predictions: PredictionBody[]; model: { version: string } };
    expect(body.model.version).toBe(model.version);
    expect(body.predictions.map((p) => p.digit)).toEqual([7, 7, digits.labels[1], digits.labels[2]]);
  });

  it('accepts 256 items and refuses 0 or 257', async () => {
    const item = { pixels: asPixels(digits.at(0)) };
    const full = await postJson('/api/predict/batch', { images: Array(256).fill(item) });
    expect(full.status).toBe(200);
    expect(((await full.json()) as { predictions: unknown[] }).predictions).toHaveLength(256);
    await expectProblem(await postJson('/api/predict/batch', { images: [] }), 400, 'invalid_request');
    await expectProblem(
      await postJson('/api/predict/batch', { images: Array(257).fill(item) }),
      400,
      'invalid_request',
    );
  });

  it('names the failing item', async () => {
    const blank = encodePng(
      renderDigit(new Uint8Array(PIXEL_COUNT), {
        width: 40,
        height: 40,
        size: 28,
        left: 0,
        top: 0,
        style: 'dark-on-light',
      }),
    );
    const problem = await expectProblem(
      await postJson('/api/predict/batch', {
        images: [{ pixels: asPixels(digits.at(0)) }, { image: toBase64(blank) }],
      }),
      422,
      'image_empty',
    );
    expect(problem.detail).toMatch(/^images\[1\]/);
  });
});

describe('errors are problem+json with stable codes', () => {
  const pixels = asPixels(digits.at(0));

  it.each<[string, unknown]>([
    ['too few pixels', { pixels: pixels.slice(1) }],
    ['too many pixels', { pixels: [...pixels, 0] }],
    ['a value above 1', { pixels: pixels.map((v, i) => (i === 5 ? 1.5 : v)) }],
    ['a negative value', { pixels: pixels.map((v, i) => (i === 5 ? -0.1 : v)) }],
    ['a string value', { pixels: pixels.map((v, i) => (i === 5 ? '0.5' : v)) }],
    ['a null value (NaN in JSON)', { pixels: pixels.map((v, i) => (i === 5 ? null : v)) }],
    ['pixels not an array', { pixels: 'abc' }],
  ])('400 invalid_pixels for %s', async (_, body) => {
    await expectProblem(await postJson('/api/predict', body), 400, 'invalid_pixels');
  });

  it.each<[string, unknown]>([
    ['an empty object', {}],
    ['both pixels and image', { pixels, image: 'abc' }],
    ['an array', [1, 2]],
    ['a number', 5],
  ])('400 invalid_request for %s', async (_, body) => {
    await expectProblem(await postJson('/api/predict', body), 400, 'invalid_request');
  });

  it('400 malformed_json for broken JSON', async () => {
    const response = await api('/api/predict', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"pixels": [0,',
    });
    await expectProblem(response, 400, 'malformed_json');
  });

  it('400 for a multipart form without an image file', async () => {
    const form = new FormData();
    form.append('picture', 'not a file');
    await expectProblem(await api('/api/predict', { method: 'POST', body: form }), 400, 'invalid_request');
  });

  it('413 for a body over the limit, from Content-Length or while streaming', async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1);
    big.set(sevenPng);
    await expectProblem(
      await api('/api/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body: big }),
      413,
      'body_too_large',
    );
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 6; i++) controller.enqueue(new Uint8Array(1024 * 1024));
        controller.close();
      },
    });
    const streamed = await api('/api/predict', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: chunks,
      duplex: 'half',
    } as RequestInit);
    await expectProblem(streamed, 413, 'body_too_large');
  });

  it('415 for other content types, and for none', async () => {
    const text = await expectProblem(
      await api('/api/predict', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'seven' }),
      415,
      'unsupported_media_type',
    );
    // What to send instead: every kind of body this endpoint takes.
    for (const kind of ['application/json', 'image/png', 'image/jpeg', 'multipart/form-data'])
      expect(text.detail).toContain(kind);
    await expectProblem(
      await api('/api/predict', { method: 'POST', headers: { 'content-type': 'image/gif' }, body: 'GIF89a' }),
      415,
      'unsupported_media_type',
    );
    const batch = await expectProblem(
      await api('/api/predict/batch', {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: sevenPng,
      }),
      415,
      'unsupported_media_type',
    );
    // The batch takes JSON only, and says so.
    expect(batch.detail).toMatch(/^Send application\/json;/);
    await expectProblem(
      await api('/api/predict', { method: 'POST', body: new Uint8Array([1, 2, 3]) }),
      415,
      'unsupported_media_type',
    );
  });

  it('422 image_undecodable for bytes that are not an image, broken base64 or a truncated PNG', async () => {
    const post = (bytes: Uint8Array) =>
      api('/api/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body: bytes });
    await expectProblem(
      await post(new TextEncoder().encode('definitely not a png')),
      422,
      'image_undecodable',
    );
    await expectProblem(await post(sevenPng.slice(0, sevenPng.length / 2)), 422, 'image_undecodable');
    await expectProblem(await post(new Uint8Array(0)), 422, 'image_undecodable');
    await expectProblem(
      await postJson('/api/predict', { image: '***not base64***' }),
      422,
      'image_undecodable',
    );
  });

  it('422 image_too_large for a PNG over 2048×2048 pixels, read from its header', async () => {
    const wide = encodePngImage({
      width: 2049,
      height: 2049,
      data: new Uint8Array(2049 * 2049).fill(255),
      channels: 1,
    });
    const problem = await expectProblem(
      await api('/api/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body: wide }),
      422,
      'image_too_large',
    );
    expect(problem.detail).toContain('2049×2049');
    expect(problem.detail).toMatch(/Downscale it to at most \d+ px on the long side/);
  });

  it('decodes the largest accepted PNG, 2048×2048 RGBA', async () => {
    const side = 2048;
    const data = new Uint8Array(side * side * 4).fill(255);
    const small = renderDigit(digits.at(0), {
      width: 600,
      height: 600,
      size: 560,
      left: 20,
      top: 20,
      style: 'dark-on-light',
    });
    for (let y = 0; y < small.height; y++)
      data.set(
        small.data.subarray(y * small.width * 4, (y + 1) * small.width * 4),
        ((700 + y) * side + 700) * 4,
      );
    // Fastest deflate level: encoding 16 MB in the test would otherwise dominate its time.
    const png = encodePngImage(
      { width: side, height: side, data, channels: 4, depth: 8 },
      { zlib: { level: 1 } },
    );
    await predicted(
      await api('/api/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body: png }),
      7,
    );
  });

  it('422 image_empty for a blank image', async () => {
    const blank = encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 4).fill(255) });
    await expectProblem(await postJson('/api/predict', { image: toBase64(blank) }), 422, 'image_empty');
    const transparent = encodePng({ width: 64, height: 64, data: new Uint8Array(64 * 64 * 4) });
    await expectProblem(
      await api('/api/predict', {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: transparent,
      }),
      422,
      'image_empty',
    );
  });

  it('404 not_found for unknown endpoints and methods', async () => {
    await expectProblem(await api('/api/nothing'), 404, 'not_found');
    await expectProblem(await api('/api/predict'), 404, 'not_found');
  });
});

describe('CORS, model, health and OpenAPI', () => {
  it('answers a preflight for any origin', async () => {
    const response = await api('/api/predict', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    expect(response.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
  });

  it('describes the served model', async () => {
    const response = await api('/api/model');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      version: string;
      parameters: number;
      precision: string;
      sizeBytes: number;
      architecture: unknown[];
      test: Record<string, { accuracy: number }>;
    };
    expect(body.version).toBe(model.version);
    expect(body.parameters).toBe(221_226);
    expect(body.precision).toBe(model.manifest.precision);
    // model.json + shard, as /model counts it; the pictures and the manifest are not the model.
    const files = model.manifest.files;
    const bytesOf = (path: string) => files.find((file) => file.path === path)?.bytes ?? Number.NaN;
    expect(body.sizeBytes).toBe(bytesOf('model.json') + bytesOf('group1-shard1of1.bin'));
    expect(body.architecture.length).toBeGreaterThan(5);
    expect(body.test.uint8?.accuracy).toBeGreaterThan(0.9);
  });

  it("serves the model's pictures", async () => {
    const response = await api('/api/model/files/curves.svg');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(await response.text()).toContain('<svg');
    await expectProblem(await api('/api/model/files/model.json'), 400, 'invalid_request');
  });

  it('reports health with the model version and the tensor count', async () => {
    const response = await api('/api/health');
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      model: { version: string };
      runtime: { tensors: number };
    };
    expect(body.status).toBe('ok');
    expect(body.model.version).toBe(model.version);
    // 8 weight tensors per loaded version (an isolate may hold a few versions), none per request.
    expect(body.runtime.tensors % 8).toBe(0);
    expect(body.runtime.tensors).toBeGreaterThanOrEqual(8);
  });

  it('publishes an OpenAPI 3.1 document of every endpoint', async () => {
    const response = await api('/api/openapi.json');
    expect(response.status).toBe(200);
    const doc = (await response.json()) as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          { responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> } }
        >
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/api/feedback',
      '/api/feedback/stats',
      '/api/health',
      '/api/health/live',
      '/api/health/ready',
      '/api/model',
      '/api/model/files/{name}',
      '/api/predict',
      '/api/predict/batch',
      '/api/read',
    ]);
    expect(Object.keys(doc.paths['/api/predict']?.post?.requestBody?.content ?? {}).sort()).toEqual([
      'application/json',
      'image/jpeg',
      'image/png',
      'multipart/form-data',
    ]);
    expect(Object.keys(doc.paths['/api/predict']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '413', '415', '422', '429', '503']),
    );
  });
});

describe('the pixels are the model input as given', () => {
  it('gives the same answer for pixels and for the same digit as a 28×28 PNG', async () => {
    const field = renderDigit(digits.at(3), {
      width: IMAGE_SIZE,
      height: IMAGE_SIZE,
      size: IMAGE_SIZE,
      left: 0,
      top: 0,
      style: 'light-on-dark',
    });
    const fromImage = (await (
      await postJson('/api/predict', { image: toBase64(encodePng(field)) })
    ).json()) as PredictionBody;
    const fromPixels = (await (
      await postJson('/api/predict', { pixels: asPixels(digits.at(3)) })
    ).json()) as PredictionBody;
    expect(fromImage.digit).toBe(digits.labels[3]);
    expect(fromPixels.digit).toBe(digits.labels[3]);
  });
});
