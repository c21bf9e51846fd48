/**
 * Phone photos of MNIST test digits written on paper (test/fixtures/photos), sent as a phone would (raw
 * PNG or JPEG bodies) to the real API in workerd: a modest sample per condition for `npm test`; the full
 * set runs in `npm run bench` (bench/photos.ts). Held-out photos (other digits, other seeds, stronger
 * conditions, never used while tuning the extraction) are reported apart.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { photoBytes } from '../fixtures/photos/photo-bytes.ts';
import { generatePhoto, PHOTO_CONDITIONS, type PhotoCondition } from '../fixtures/photos/photo-generator.ts';
import { type PhotoCase, photoCases } from '../fixtures/photos/photo-set.ts';
import { api, type PredictionBody } from './helpers/api.ts';
import { mnistDigits } from './helpers/images.ts';
import { clearBucket, committedExport, publish } from './helpers/model-export.ts';

const digits = mnistDigits();

beforeAll(async () => {
  await clearBucket();
  await publish(committedExport());
});

async function predictPhoto(photoCase: PhotoCase): Promise<number> {
  const photo = generatePhoto({
    digit: digits.at(photoCase.index),
    condition: photoCase.condition,
    seed: photoCase.seed,
    profile: photoCase.profile,
  });
  const { bytes, contentType } = photoBytes(photo);
  const response = await api('/api/predict', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: bytes,
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  return (JSON.parse(text) as PredictionBody).digit;
}

async function score(cases: PhotoCase[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const photoCase of cases) {
    const digit = await predictPhoto(photoCase);
    const label = digits.labels[photoCase.index] as number;
    if (digit !== label) wrong.push(`#${photoCase.index} seed ${photoCase.seed}: ${label} read as ${digit}`);
  }
  return wrong;
}

const API_CONDITIONS = PHOTO_CONDITIONS;
const PER_CONDITION = 4;
/** 12 MP JPEGs take seconds to encode here: fewer of them. */
const countFor = (condition: PhotoCondition): number => (condition === 'exif-12mp' ? 2 : PER_CONDITION);

describe('phone photos through POST /api/predict', () => {
  it.each(API_CONDITIONS)('reads every sampled photo right: %s', async (condition: PhotoCondition) => {
    const cases = photoCases('tuning', countFor(condition), [condition], 100);
    const wrong = await score(cases);
    console.log(
      `photos, ${condition}: ${cases.length - wrong.length}/${cases.length} right ${wrong.join('; ')}`,
    );
    expect(wrong).toEqual([]);
  });

  it('reads held-out photos (other digits and seeds, stronger conditions) mostly right', async () => {
    const cases = photoCases('heldOut', 2, API_CONDITIONS);
    const wrong = await score(cases);
    console.log(`held-out photos: ${cases.length - wrong.length}/${cases.length} right ${wrong.join('; ')}`);
    expect((cases.length - wrong.length) / cases.length).toBeGreaterThanOrEqual(0.9);
  });
});
