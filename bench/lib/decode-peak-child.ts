/**
 * Child process of decode-peak.ts: decodes the given image files as one request would (one budget for
 * all, as a batch), through the API's own decode and preprocessing path, and prints the peak extra
 * resident memory and the time as JSON. A file that is JSON is a `POST /api/read` bitmap body instead: it is
 * parsed and segmented as that route does. A sampler thread polls the process's RSS while the main thread is
 * busy decoding, since a synchronous decode cannot be interrupted to look.
 */

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { toMnistPixels } from '../../core/preprocess.ts';
import { inkMapFromBitmap, NumberReadError, planNumber } from '../../core/segment-number.ts';
import { DecodeBudget } from '../../worker/input/decode-budget.ts';
import { decodeImage } from '../../worker/input/decode-image.ts';

const files = process.argv.slice(2).map((path) => new Uint8Array(readFileSync(path)));
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

// Warm up the code paths on a tiny image of each kind, so compilation is not counted.
const shared = new Int32Array(new SharedArrayBuffer(12));
const sampler = new Worker(
  `const { workerData, parentPort } = require('node:worker_threads');
   const cell = new Int32Array(workerData);
   parentPort.postMessage('ready');
   while (Atomics.load(cell, 1) === 0) {
     const kib = Math.round(process.memoryUsage.rss() / 1024);
     if (kib > Atomics.load(cell, 0)) Atomics.store(cell, 0, kib);
     Atomics.wait(cell, 2, 0, 0.2);
   }`,
  { eval: true, workerData: shared.buffer },
);
await new Promise((resolve) => sampler.once('message', resolve));
gc();
gc();
const baseline = process.memoryUsage.rss();
Atomics.store(shared, 0, Math.round(baseline / 1024));
const started = performance.now();
const outcomes: string[] = [];
const budget = new DecodeBudget();
for (const bytes of files) {
  try {
    if (bytes[0] === 0x7b) {
      // What POST /api/read does with a bitmap before the model: parse, then segment.
      const body = JSON.parse(new TextDecoder().decode(bytes)) as {
        width: number;
        height: number;
        pixels: number[];
      };
      planNumber(inkMapFromBitmap(body.width, body.height, body.pixels));
      outcomes.push('ok');
    } else {
      // What pixelsFromImageBytes does: decode, then the MNIST preprocessing.
      outcomes.push(toMnistPixels(await decodeImage(bytes, budget)) === null ? 'image_empty' : 'ok');
    }
  } catch (error) {
    if (error instanceof NumberReadError)
      outcomes.push(error.reason === 'empty' ? 'image_empty' : error.reason);
    else outcomes.push((error as { code?: string }).code ?? String(error));
  }
}
const ms = performance.now() - started;
Atomics.store(shared, 1, 1);
await sampler.terminate();
const peakKiB = Math.max(Atomics.load(shared, 0), 0);
process.stdout.write(
  `${JSON.stringify({ peakBytes: Math.max(0, peakKiB * 1024 - baseline), ms, outcomes })}\n`,
);
