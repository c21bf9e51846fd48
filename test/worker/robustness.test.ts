/**
 * Whatever a client sends, the API answers with a 2xx or a 4xx problem, never a 5xx or a hang; and the
 * isolate keeps the same number of tensors however many requests it answers.
 */

import fc from 'fast-check';
import { encode as encodePngImage } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, postJson } from './helpers/api.ts';
import { encodeJpeg, encodePng, mnistDigits, toBase64 } from './helpers/images.ts';
import { clearBucket, committedExport, publish } from './helpers/model-export.ts';

const digits = mnistDigits();
/** Digit `index` with every grey value expanded by `expand` (e.g. to RGBA). */
const expanded = (index: number, expand: (v: number) => number[]): Uint8Array =>
  Uint8Array.from(Array.from(digits.at(index)).flatMap(expand));

beforeAll(async () => {
  await clearBucket();
  await publish(committedExport());
});

async function expectClientOutcome(response: Response): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBeLessThan(500);
  if (response.status >= 400) expect(response.headers.get('content-type')).toBe('application/problem+json');
}

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const pixelLike = fc.oneof(
  fc.array(fc.double({ noNaN: true, min: -1, max: 2 }), { minLength: 780, maxLength: 790 }),
  fc.array(fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), jsonValue), {
    minLength: 784,
    maxLength: 784,
  }),
  jsonValue,
);

describe('fuzzing', () => {
  it('never answers 5xx to arbitrary JSON bodies', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonValue,
          fc.record({ pixels: pixelLike }),
          fc.record({ image: fc.oneof(fc.string(), fc.base64String(), jsonValue) }),
          fc.record({
            images: fc.array(
              fc.oneof(fc.record({ pixels: pixelLike }), fc.record({ image: fc.base64String() }), jsonValue),
              { maxLength: 4 },
            ),
          }),
        ),
        fc.constantFrom('/api/predict', '/api/predict/batch'),
        async (body, path) => {
          await expectClientOutcome(await postJson(path, body));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('never answers 5xx to damaged or arbitrary image bytes', { timeout: 300_000 }, async () => {
    const seven = encodePngImage({
      width: 28,
      height: 28,
      data: Uint8Array.from(digits.at(0)),
      channels: 1,
      depth: 8,
    });
    const sevenJpeg = encodeJpeg({ width: 28, height: 28, data: expanded(0, (v) => [v, v, v, 255]) });
    const damaged = (source: Uint8Array) =>
      fc
        .array(fc.record({ at: fc.nat(source.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
          maxLength: 8,
        })
        .chain((flips) =>
          fc.nat(source.length).map((cut) => {
            const copy = source.slice(0, Math.max(8, cut));
            for (const { at, value } of flips) if (at < copy.length) copy[at] = value;
            return copy;
          }),
        );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(damaged(seven), damaged(sevenJpeg), fc.uint8Array({ maxLength: 2000 })),
        fc.constantFrom('image/png', 'image/jpeg', 'json'),
        async (bytes, type) => {
          const response =
            type === 'json'
              ? await postJson('/api/predict', { image: toBase64(bytes) })
              : await api('/api/predict', { method: 'POST', headers: { 'content-type': type }, body: bytes });
          await expectClientOutcome(response);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('decodes PNGs of every colour type and bit depth', async () => {
    const digit = digits.at(0);
    const variants = [
      { channels: 1, depth: 8, data: Uint8Array.from(digit) },
      { channels: 2, depth: 8, data: expanded(0, (v) => [v, 255]) },
      { channels: 3, depth: 8, data: expanded(0, (v) => [v, v, v]) },
      { channels: 1, depth: 16, data: Uint16Array.from(digit, (v) => v * 257) },
    ];
    for (const variant of variants) {
      const png = encodePngImage({ width: 28, height: 28, ...variant } as Parameters<
        typeof encodePngImage
      >[0]);
      const response = await api('/api/predict', {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: png,
      });
      expect(response.status, `${variant.channels} channels, ${variant.depth} bits`).toBe(200);
      expect(((await response.json()) as { digit: number }).digit).toBe(7);
    }
  });
});

describe('memory', () => {
  it('keeps the tensor count stable over many requests of every kind', { timeout: 300_000 }, async () => {
    const tensors = async () =>
      ((await (await api('/api/health')).json()) as { runtime: { tensors: number } }).runtime.tensors;
    const pixels = Array.from(digits.at(0), (v) => v / 255);
    const png = toBase64(encodePng({ width: 28, height: 28, data: expanded(0, (v) => [v, v, v, 255]) }));
    await postJson('/api/predict', { pixels });
    const before = await tensors();
    for (let i = 0; i < 40; i++) {
      await postJson('/api/predict', { pixels });
      await postJson('/api/predict/batch', { images: [{ pixels }, { image: png }] });
      await postJson('/api/predict', { pixels: pixels.slice(1) });
    }
    expect(await tensors()).toBe(before);
    // 8 weight tensors per loaded version, nothing per request.
    expect(before % 8).toBe(0);
  });
});
