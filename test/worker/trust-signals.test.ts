/**
 * `uncertain` and `isDigit` through the real Worker in workerd: the committed model's calibration and digit
 * detector on MNIST test digits and on generated non-digits (the evaluation seed, never used for fitting),
 * sent as PNG photos so the Worker's own decoding and preprocessing run; older manifests without them.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { FALLBACK_UNCERTAIN_BELOW } from '../../core/confidence.ts';
import { EVALUATION_SEED, NON_DIGIT_KINDS, renderNonDigit } from '../../training/non-digits.ts';
import { createRandom } from '../../training/random.ts';
import { api, expectProblem, type PredictionBody, postJson } from './helpers/api.ts';
import { encodePng, mnistDigits, toBase64 } from './helpers/images.ts';
import { clearBucket, committedExport, publish, withFiles } from './helpers/model-export.ts';

const model = committedExport();
const digits = mnistDigits();
const calibration = model.manifest.calibration;
const detector = model.manifest.digitDetector;

interface BatchBody {
  predictions: Omit<PredictionBody, 'model'>[];
}

async function batch(images: object[], version?: string): Promise<BatchBody> {
  const response = await postJson(`/api/predict/batch${version ? `?version=${version}` : ''}`, { images });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return JSON.parse(text) as BatchBody;
}

const digitImages = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ pixels: Array.from(digits.at(from + i), (v) => v / 255) }));

beforeAll(async () => {
  expect(calibration, 'the committed manifest has a calibration').toBeDefined();
  expect(detector, 'the committed manifest has a digit detector').toBeDefined();
  await clearBucket();
  await publish(model);
  // The first request loads the model; the tests below then time only their own work.
  expect((await postJson('/api/predict', digitImages(0, 1)[0] as object)).status).toBe(200);
});

describe('uncertain', () => {
  it('is set exactly when the calibrated confidence is below the manifest threshold, on few digits', async () => {
    const { predictions } = await batch(digitImages(0, 250));
    for (const p of predictions) {
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.confidence).toBe(Math.max(...p.probabilities));
      expect(p.uncertain).toBe(p.confidence < (calibration?.uncertainBelow ?? 0));
    }
    const flagged = predictions.filter((p) => p.uncertain).length;
    // Chosen to flag ≤ 1% of validation digits; test digits behave alike (a loose bound for 250).
    expect(flagged / predictions.length).toBeLessThanOrEqual(0.04);
  });

  it('is true for an ambiguous input: the average of a 4 and a 9', async () => {
    const four = digits.labels.indexOf(4);
    const nine = digits.labels.indexOf(9);
    const mixed = Array.from(digits.at(four), (v, i) => (v + (digits.at(nine)[i] as number)) / 2 / 255);
    const one = Array.from({ length: 784 }, (_, i) => (i % 28 === 14 && i > 4 * 28 && i < 24 * 28 ? 1 : 0));
    const { predictions } = await batch([{ pixels: mixed }, { pixels: one }]);
    const [ambiguous, clear] = predictions;
    expect(ambiguous?.confidence).toBeLessThan(clear?.confidence ?? 0);
    expect([4, 9]).toContain(ambiguous?.digit);
  });
});

describe('isDigit', () => {
  it('accepts MNIST test digits (at most a few percent flagged)', async () => {
    const { predictions } = await batch(digitImages(250, 250));
    expect(predictions.every((p) => typeof p.isDigit === 'boolean')).toBe(true);
    const flagged = predictions.filter((p) => p.isDigit === false).length;
    expect(flagged / predictions.length).toBeLessThanOrEqual(0.04);
  });

  it('rejects most generated non-digits sent as PNG photos, of every kind', async () => {
    const random = createRandom(EVALUATION_SEED + 17);
    const kinds = NON_DIGIT_KINDS.flatMap((kind) => Array.from({ length: 10 }, () => kind));
    // One at a time: the photo extraction may find no ink at all in a smudge (422 image_empty), which
    // tells the client the same thing as isDigit: false.
    const rejected: boolean[] = [];
    for (const kind of kinds) {
      const response = await postJson('/api/predict', {
        image: toBase64(encodePng(renderNonDigit(kind, random))),
      });
      if (response.status === 422) {
        await expectProblem(response, 422, 'image_empty');
        rejected.push(true);
      } else {
        expect(response.status).toBe(200);
        rejected.push(((await response.json()) as PredictionBody).isDigit === false);
      }
    }
    // The manifest's figure on 3,000 is 94%; a sample of 60 varies. A broken detector rejects almost none.
    expect(rejected.filter(Boolean).length / rejected.length).toBeGreaterThanOrEqual(0.85);
    for (const kind of NON_DIGIT_KINDS) {
      const ofKind = rejected.filter((_, i) => kinds[i] === kind);
      expect(ofKind.filter(Boolean).length, kind).toBeGreaterThanOrEqual(6); // scribbles are the hardest: 84% on 3,000
    }
  });

  it('answers on /api/predict too', async () => {
    const response = await postJson('/api/predict', digitImages(0, 1)[0] as object);
    const body = (await response.json()) as PredictionBody;
    expect(body).toMatchObject({ digit: digits.labels[0], isDigit: true, uncertain: false });
  });
});

describe('GET /api/model', () => {
  it('reports the trust parameters and figures, and serves the reliability diagram', async () => {
    const body = (await (await api('/api/model')).json()) as { trust: Record<string, unknown> };
    expect(body.trust).toEqual({
      temperature: calibration?.temperature,
      uncertainBelow: calibration?.uncertainBelow,
      eceBefore: calibration?.test.eceBefore,
      eceAfter: calibration?.test.eceAfter,
      digitDetector: true,
      nonDigitsFlagged: detector?.metrics.nonDigitsFlagged,
      testDigitsFlagged: detector?.metrics.testDigitsFlagged,
    });
    const svg = await api('/api/model/files/reliability.svg');
    expect(svg.status).toBe(200);
    expect(await svg.text()).toContain('Reliability');
  });
});

describe('manifests without calibration or detector', () => {
  it('serve the raw softmax, isDigit null and the fallback uncertain threshold', async () => {
    const { calibration: _c, digitDetector: _d, ...bare } = model.manifest;
    const plain = await withFiles({ ...model, manifest: bare }, 'plain-manifest', model.files);
    await publish(plain, { pointer: false });
    const images = digitImages(500, 40);
    const [calibrated, raw] = [await batch(images), await batch(images, 'plain-manifest')];
    raw.predictions.forEach((p, i) => {
      const q = calibrated.predictions[i] as (typeof calibrated.predictions)[number];
      expect(p.isDigit).toBeNull();
      expect(p.digit).toBe(q.digit);
      expect(p.uncertain).toBe(p.confidence < FALLBACK_UNCERTAIN_BELOW);
    });
    const info = (await (await api('/api/model?version=plain-manifest')).json()) as { trust: unknown };
    expect(info.trust).toEqual({
      temperature: 1,
      uncertainBelow: FALLBACK_UNCERTAIN_BELOW,
      eceBefore: null,
      eceAfter: null,
      digitDetector: false,
      nonDigitsFlagged: null,
      testDigitsFlagged: null,
    });
    // A temperature above 1 softens the softmax (below 1 sharpens): the raw confidence is on that side.
    const direction = Math.sign((calibration?.temperature ?? 1) - 1);
    for (const [i, p] of raw.predictions.entries()) {
      const shift = p.confidence - (calibrated.predictions[i]?.confidence ?? 0);
      expect(shift * direction).toBeGreaterThanOrEqual(-1e-9);
    }
  });

  it('a manifest with an unusable temperature is refused, not served', async () => {
    const broken = await withFiles(
      {
        ...model,
        manifest: {
          ...model.manifest,
          calibration: { ...calibration, temperature: -1 },
        } as typeof model.manifest,
      },
      'broken-temperature',
      model.files,
    );
    await publish(broken, { pointer: false });
    const response = await postJson(
      '/api/predict?version=broken-temperature',
      digitImages(0, 1)[0] as object,
    );
    const problem = await expectProblem(response, 409, 'model_version_refused');
    expect(problem.detail).toMatch(/temperature/);
    expect((await api('/api/health')).status).toBe(200);
  });
});
