/**
 * `npm run bench -- --only decode`: the decoding budget. For the largest accepted input of each kind, the
 * peak extra resident memory of decoding and preprocessing it the way the API does (a fresh Node process
 * per input), against DECODE_MEMORY_TARGET_BYTES, and the same for the largest all-ink bitmaps that
 * POST /api/read segments; and the 12 MP phone JPEGs' time (2.8 MB and 4.9 MB)
 * through our scaled decoder, against jpeg-js's full-size decode of the smaller one in the same run.
 */

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decode as decodeJpegFullSize } from 'jpeg-js';
import { toMnistPixels } from '../core/preprocess.ts';
import { DECODE_MEMORY_TARGET_BYTES } from '../worker/input/decode-budget.ts';
import { decodeImage, jpegScaleFor } from '../worker/input/decode-image.ts';
import {
  blankPng,
  doubleIhdrPng,
  fullInkBitmapJson,
  jpegHeaderBomb,
  largestPng,
  phoneJpeg,
  sixteenBitBomb,
} from './lib/decode-inputs.ts';
import { measureDecodePeak } from './lib/decode-peak.ts';
import { formatMs, formatNumber, formatRatio, type SectionResult, verdictAtMost } from './lib/report.ts';
import { summarise } from './lib/stats.ts';

interface DecodeCase {
  readonly name: string;
  readonly bytes: number;
  readonly peakBytes: number;
  readonly ms: number;
  readonly outcome: string;
}

export interface DecodeResult {
  readonly cases: readonly DecodeCase[];
  /** Median ms of the 12 MP JPEG: ours (decode + preprocess), ours (decode only), jpeg-js (decode only). */
  readonly phoneMs: number;
  readonly phoneDecodeMs: number;
  readonly jpegJsMs: number;
  /** The same picture at quality 94 (about 5 MB): its size, and ours with and without preprocessing. */
  readonly largePhoneBytes: number;
  readonly largePhoneMs: number;
  readonly largePhoneDecodeMs: number;
}

/** The inputs whose peaks are measured: the largest accepted of each kind, then refused bombs. */
export function decodeCases(): { name: string; images: () => Uint8Array[] }[] {
  return [
    { name: '12 MP phone JPEG (4032×3024, q85)', images: () => [phoneJpeg()] },
    { name: '12 MP phone JPEG (4032×3024, q94)', images: () => [phoneJpeg(7, 4032, 3024, 94)] },
    { name: 'largest 8-bit RGBA PNG', images: () => [largestPng(4, 8)] },
    { name: 'largest 8-bit RGB PNG', images: () => [largestPng(3, 8)] },
    { name: 'largest 8-bit grey PNG (2048×2048)', images: () => [largestPng(1, 8)] },
    { name: 'largest 16-bit RGBA PNG', images: () => [largestPng(4, 16)] },
    { name: 'bomb: 16-bit 4096×4096 PNG', images: () => [sixteenBitBomb()] },
    { name: 'bomb: double IHDR PNG', images: () => [doubleIhdrPng()] },
    { name: 'bomb: JPEG header claiming 8192×8192', images: () => [jpegHeaderBomb()] },
    {
      name: 'batch: 256 blank 2048×2048 PNGs, one budget',
      images: () => Array.from({ length: 256 }, () => blankPng(2048)),
    },
    { name: '/api/read bitmap: 1024×1024, all ink', images: () => [fullInkBitmapJson(1024, 1024)] },
    { name: '/api/read bitmap: 2048×512, all ink', images: () => [fullInkBitmapJson(2048, 512)] },
  ];
}

/**
 * V8's full collection, exposed from within (the bench runs without --expose-gc): jpeg-js's full-size
 * decode leaves over 100 MB of garbage, which would otherwise be collected during, and charged to, the
 * next decode timed.
 */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

export async function measureDecode(quick: boolean): Promise<DecodeResult> {
  const cases: DecodeCase[] = [];
  for (const { name, images } of decodeCases()) {
    const bytes = images();
    const peak = measureDecodePeak(bytes);
    const outcomes = [...new Set(peak.outcomes)];
    cases.push({
      name,
      bytes: bytes.reduce((sum, image) => sum + image.length, 0),
      peakBytes: peak.peakBytes,
      ms: peak.ms,
      outcome: outcomes.join(', '),
    });
  }
  const jpeg = phoneJpeg();
  const largeJpeg = phoneJpeg(7, 4032, 3024, 94);
  const rounds = quick ? 3 : 9;
  const ours: number[] = [];
  const oursDecode: number[] = [];
  const large: number[] = [];
  const largeDecode: number[] = [];
  const reference: number[] = [];
  /** Ours on `bytes`: decode, then preprocess; the times go to `decodeOnly` and `total`. */
  const timeOurs = async (bytes: Uint8Array, decodeOnly: number[], total: number[]): Promise<void> => {
    const started = performance.now();
    const image = await decodeImage(bytes);
    decodeOnly.push(performance.now() - started);
    toMnistPixels(image);
    total.push(performance.now() - started);
  };
  for (let round = 0; round < rounds; round++) {
    // Alternate, so all see the same machine load.
    await timeOurs(jpeg, oursDecode, ours);
    await timeOurs(largeJpeg, largeDecode, large);
    const started = performance.now();
    decodeJpegFullSize(jpeg, { useTArray: true, maxMemoryUsageInMB: 1024, maxResolutionInMP: 100 });
    reference.push(performance.now() - started);
    collectGarbage();
  }
  return {
    cases,
    phoneMs: summarise(ours).median,
    phoneDecodeMs: summarise(oursDecode).median,
    jpegJsMs: summarise(reference).median,
    largePhoneBytes: largeJpeg.length,
    largePhoneMs: summarise(large).median,
    largePhoneDecodeMs: summarise(largeDecode).median,
  };
}

const mib = (bytes: number): string => `${formatNumber(bytes / 2 ** 20, 1)} MiB`;

export function decodeSection(result: DecodeResult): SectionResult {
  const target = DECODE_MEMORY_TARGET_BYTES;
  const accepted = result.cases.filter((c) => c.outcome.split(', ').includes('ok'));
  const worst = Math.max(...result.cases.map((c) => c.peakBytes));
  const table = [
    '| input | bytes | outcome | peak extra memory | time |',
    '| --- | ---: | --- | ---: | ---: |',
    ...result.cases.map(
      (c) =>
        `| ${c.name} | ${formatNumber(c.bytes)} | ${c.outcome} | ${mib(c.peakBytes)} | ${formatMs(c.ms)} |`,
    ),
  ].join('\n');
  return {
    title: 'Image decoding budget',
    rows: [
      {
        area: 'Image decoding',
        figure: `peak extra memory, worst of ${result.cases.length} inputs (${accepted.length} accepted)`,
        value: mib(worst),
        target: `≤ ${mib(target)}`,
        verdict: verdictAtMost(worst, target),
      },
      {
        area: 'Image decoding',
        figure: '12 MP phone JPEG: decode + preprocess, median',
        value: formatMs(result.phoneMs),
        target: '≤ 250 ms',
        verdict: verdictAtMost(result.phoneMs, 250),
      },
      {
        area: 'Image decoding',
        figure: `12 MP phone JPEG of ${formatNumber(result.largePhoneBytes / 1e6, 1)} MB: decode + preprocess, median`,
        value: formatMs(result.largePhoneMs),
        target: '≤ 250 ms',
        verdict: verdictAtMost(result.largePhoneMs, 250),
      },
      {
        area: 'Image decoding',
        figure: `12 MP JPEG decode: jpeg-js full size ÷ ours at 1/${jpegScaleFor(4032, 3024)}`,
        value: formatRatio(result.jpegJsMs / result.phoneDecodeMs),
      },
    ],
    details: [
      'Each input is decoded and preprocessed as `POST /api/predict` does (`decodeImage`, then',
      '`toMnistPixels`), in a fresh Node process started with `--expose-gc`; a sampler thread polls the',
      "process's resident memory every 0.2 ms while the main thread decodes, and the figure is the peak",
      'above the level just before decoding. The PNGs are the largest that the limits accept (seeded photo',
      'content, so deflate and JPEG have real work). The batch shares one decoding budget: it is refused',
      'with 413 `decode_budget_exceeded` once 12 Mi decoded pixels have been spent (the 4th image here).',
      'The `/api/read` bitmaps are the largest grey bitmaps the route takes, all ink: parsed and segmented',
      '(`inkFromJson`, then `planNumber`) as the route does before the model, the worst case of its cuts. The',
      'time is of the one pass in that fresh process, compilation included.',
      '',
      table,
      '',
      `12 MP JPEG (${formatNumber(result.cases[0]?.bytes ?? 0)} bytes): ours decodes at 1/${jpegScaleFor(4032, 3024)} scale in`,
      `${formatMs(result.phoneDecodeMs)} (${formatMs(result.phoneMs)} with preprocessing); jpeg-js decodes it`,
      `at full size in ${formatMs(result.jpegJsMs)} (medians, alternating rounds in one process; jpeg-js's`,
      'garbage is collected after it, so that the next decode timed does not pay for it). The same',
      `picture at quality 94 (${formatNumber(result.largePhoneBytes)} bytes, about the largest a phone sends)`,
      `decodes in ${formatMs(result.largePhoneDecodeMs)} (${formatMs(result.largePhoneMs)} with preprocessing).`,
    ].join('\n'),
  };
}
