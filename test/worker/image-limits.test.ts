/**
 * The decoding budget through the real API in workerd: every PngSuite file, the bombs (a 16-bit 4096×4096
 * PNG, a double IHDR, a JPEG header claiming 8192×8192, a batch of 256 large images) and a 12 MP phone
 * JPEG. Each is answered within the budget or refused with a problem that says what to do.
 */

import { encode as encodeJpegImage } from 'jpeg-js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { paperPhoto } from '../../bench/lib/photo-pixels.ts';
import { api, expectProblem, postJson } from './helpers/api.ts';
import { toBase64 } from './helpers/images.ts';
import { clearBucket, committedExport, fromBase64, publish } from './helpers/model-export.ts';

beforeAll(async () => {
  await clearBucket();
  await publish(committedExport());
  // The first prediction starts tfjs; let that happen here rather than inside the first test's time.
  await postJson('/api/predict', { pixels: Array(784).fill(0) });
}, 300_000);

const postImage = (bytes: Uint8Array, type = 'image/png'): Promise<Response> =>
  api('/api/predict', { method: 'POST', headers: { 'content-type': type }, body: bytes });

const pngSuite = inject('pngSuite');
const bombs = inject('decodeBombs');

describe('every PngSuite file through POST /api/predict', () => {
  const names = Object.keys(pngSuite).sort();

  it('has the whole suite to test', () => {
    expect(names.length).toBeGreaterThanOrEqual(170);
    expect(names.filter((name) => name.startsWith('x'))).toHaveLength(14);
  });

  it.each(names.filter((name) => name.startsWith('x')))('refuses the corrupt %s with 422', async (name) => {
    await expectProblem(await postImage(fromBase64(pngSuite[name] as string)), 422, 'image_undecodable');
  });

  it.each(names.filter((name) => !name.startsWith('x')))(
    'answers %s with 200 or 422 image_empty',
    async (name) => {
      const response = await postImage(fromBase64(pngSuite[name] as string));
      const text = await response.text();
      if (response.status === 200) {
        expect(JSON.parse(text).digit).toBeTypeOf('number');
      } else {
        expect([response.status, JSON.parse(text).code], text).toEqual([422, 'image_empty']);
      }
    },
  );
});

describe('bombs', () => {
  it('refuses a 130 KB 16-bit 4096×4096 PNG from its header, with the size to downscale to', async () => {
    const bomb = fromBase64(bombs.sixteenBitPng as string);
    expect(bomb.length).toBeLessThan(200_000);
    const problem = await expectProblem(await postImage(bomb), 422, 'image_too_large');
    expect(problem.detail).toMatch(/at most \d+ px on the long side/);
  });

  it('refuses a PNG with a second IHDR (1×1, then 10000×10000)', async () => {
    const problem = await expectProblem(
      await postImage(fromBase64(bombs.doubleIhdrPng as string)),
      422,
      'image_undecodable',
    );
    expect(problem.detail).toContain('more than one IHDR');
  });

  it('refuses a small JPEG whose header claims 8192×8192', async () => {
    const problem = await expectProblem(
      await postImage(fromBase64(bombs.jpegHeaderBomb as string), 'image/jpeg'),
      422,
      'image_undecodable',
    );
    expect(problem.detail).toContain('ends before the image does');
  });

  it('refuses a JPEG header over 8192×8192 before decoding, naming the long side to downscale to', async () => {
    const problem = await expectProblem(
      await postImage(fromBase64(bombs.jpegOverLimit as string), 'image/jpeg'),
      422,
      'image_too_large',
    );
    expect(problem.detail).toMatch(/Downscale it to at most 8192 px on the long side/);
  });

  it('shares one budget across a batch of 256 large images: 413 once it is spent', async () => {
    const image = toBase64(fromBase64(bombs.blank2048Png as string));
    const response = await postJson('/api/predict/batch', {
      images: Array.from({ length: 256 }, () => ({ image })),
    });
    const text = await response.text();
    // Blank images: the first is refused as empty, unless the budget refuses first; both within budget.
    expect([413, 422], text).toContain(response.status);
    const body = JSON.parse(text) as { code: string; detail: string };
    expect(['decode_budget_exceeded', 'image_empty']).toContain(body.code);
  });

  it('answers a batch of 256 large images with 413 decode_budget_exceeded when each one is valid', async () => {
    const image = toBase64(fromBase64(bombs.ring2048Png as string));
    const response = await postJson('/api/predict/batch', {
      images: Array.from({ length: 256 }, () => ({ image })),
    });
    const problem = await expectProblem(response, 413, 'decode_budget_exceeded');
    // 2048×2048 = 4 Mi pixels each, 12 Mi pixels a request: the 4th image is the one refused.
    expect(problem.detail).toMatch(/^images\[3\]: /);
    expect(problem.detail).toContain('Send fewer or smaller images per request');
  });
});

describe('a 12 MP phone JPEG', () => {
  it('is accepted and answered (decoded at half size)', { timeout: 300_000 }, async () => {
    const width = 4032;
    const height = 3024;
    const jpeg = new Uint8Array(
      encodeJpegImage({ width, height, data: paperPhoto(width, height, 4, 9) }, 85).data,
    );
    expect(jpeg.length).toBeLessThan(5 * 1024 * 1024);
    const response = await postImage(jpeg, 'image/jpeg');
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(JSON.parse(text).digit).toBeTypeOf('number');
  });
});
