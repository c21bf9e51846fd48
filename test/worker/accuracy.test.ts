/**
 * The served model through the real API: 1,000 MNIST test digits as pixels (at least 99% right), and
 * MNIST digits as people's pictures arrive (large, off-centre, dark on light, light on dark, in an alpha
 * channel, PNG and JPEG), mostly right.
 */

import { beforeAll, describe, expect, it } from 'vitest';
import { type InkStyle, renderDigit } from '../fixtures/render-digit.ts';
import { type PredictionBody, postJson } from './helpers/api.ts';
import { encodeJpeg, encodePng, mnistDigits, toBase64 } from './helpers/images.ts';
import { clearBucket, committedExport, publish } from './helpers/model-export.ts';

const digits = mnistDigits();

beforeAll(async () => {
  await clearBucket();
  await publish(committedExport());
});

async function batch(images: unknown[]): Promise<number[]> {
  const response = await postJson('/api/predict/batch', { images });
  expect(response.status, await response.clone().text()).toBe(200);
  return ((await response.json()) as { predictions: PredictionBody[] }).predictions.map((p) => p.digit);
}

describe('accuracy through the API', () => {
  it('gets at least 99% of 1,000 MNIST test digits right', async () => {
    let correct = 0;
    for (let start = 0; start < 1000; start += 250) {
      const images = Array.from({ length: 250 }, (_, i) => ({
        pixels: Array.from(digits.at(start + i), (v) => v / 255),
      }));
      const predicted = await batch(images);
      predicted.forEach((digit, i) => {
        if (digit === digits.labels[start + i]) correct++;
      });
    }
    console.log(`MNIST through /api/predict/batch: ${correct}/1000 correct`);
    expect(correct).toBeGreaterThanOrEqual(990);
  });

  it('recognises most MNIST digits drawn as pictures: large, off-centre, any polarity, PNG and JPEG', async () => {
    const styles: InkStyle[] = ['dark-on-light', 'light-on-dark', 'alpha', 'white-alpha'];
    const images: { image: string }[] = [];
    const labels: number[] = [];
    for (let i = 0; i < 40; i++) {
      const index = 100 + i;
      const style = styles[i % styles.length] as InkStyle;
      const size = 90 + ((i * 37) % 200);
      const picture = renderDigit(digits.at(index), {
        width: size + 120,
        height: size + 60,
        size,
        left: (i * 53) % 120,
        top: (i * 29) % 60,
        style,
        paper: 255 - ((i * 11) % 70),
      });
      // JPEG has no alpha channel: alpha pictures go as PNG.
      const jpeg = i % 2 === 0 && !style.includes('alpha');
      images.push({ image: toBase64(jpeg ? encodeJpeg(picture, 75) : encodePng(picture)) });
      labels.push(digits.labels[index] as number);
    }
    const predicted = await batch(images);
    const correct = predicted.filter((digit, i) => digit === labels[i]).length;
    console.log(`MNIST digits as pictures: ${correct}/${labels.length} correct`);
    expect(correct / labels.length).toBeGreaterThanOrEqual(0.9);
  });
});
