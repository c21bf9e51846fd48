/**
 * Inference inside workerd: the Worker's own model code (worker/model/*, loaded from local R2 by its loader)
 * timed by the bench entry in bench/workerd/ (its deploy bundle in workerd), against the floor measured in Node.
 * Also the isolate's memory after 100 and after 10,000 predictions through the real app.
 */
import { PIXEL_COUNT } from '../core/model-spec.ts';
import { type BackendFloor, FLOOR_BATCH } from './floor.ts';
import type { RunningWorker } from './lib/bundled-worker.ts';
import { float32ToBase64 } from './lib/local-state.ts';
import { type Digits, digitAt } from './lib/mnist-inputs.ts';
import {
  type BenchRow,
  formatKiB,
  formatMs,
  formatNumber,
  formatRatio,
  markdownTable,
  type SectionResult,
  verdictAtMost,
} from './lib/report.ts';
import { blockMeans, type Summary, scaleSummary, summarise } from './lib/stats.ts';
import { digitAsCanvasPng } from './lib/test-images.ts';

/** Single-digit predictions per timing: the workerd clock steps in whole milliseconds. */
const SINGLE_BLOCK = 50;
/** Target: inference in workerd within this factor of the floor. */
const WORKERD_TARGET_FACTOR = 1.25;
/** Target: a whole pixels request through `app.fetch` inside workerd within this factor of the floor. */
const REQUEST_TARGET_FACTOR = 1.5;
/** The request-profile step that is a whole pixels request (bench/workerd/entry.ts). */
const WHOLE_PIXELS_REQUEST = 'app again: POST /api/predict, pixels';
/** The request-profile step that is the Worker's model call alone. */
const IN_ISOLATE_MODEL = 'part: model, 1 digit';

interface InferenceReply {
  readonly timings: number[];
  readonly empty: number[];
  readonly closeWithIo: boolean;
  readonly tensors: number;
}

export interface WorkerdInference {
  /** Per digit, each sample the mean of a block of SINGLE_BLOCK one-digit predictions. */
  readonly single: Summary;
  /** Per digit in a batch of FLOOR_BATCH, each sample one batch. */
  readonly perDigitInBatch: Summary;
  readonly emptyTiming: Summary;
  readonly closedWithIo: boolean;
  readonly predictions: number;
}

async function post<T>(server: RunningWorker, path: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function measureWorkerdInference(
  server: RunningWorker,
  digits: Digits,
  quick: boolean,
  /** Runs after each round: the bench runner takes a round of floor timings here, paired in time. */
  between: () => void = () => {},
): Promise<WorkerdInference> {
  const pixels = float32ToBase64(digits.pixels.subarray(0, Math.max(FLOOR_BATCH, 256) * PIXEL_COUNT));
  const rounds = quick ? 2 : 5;
  const blocksPerRound = quick ? 6 : 20;
  const batchesPerRound = quick ? 6 : 25;
  const singles: number[] = [];
  const batches: number[] = [];
  const empty: number[] = [];
  let closedWithIo = false;
  // Rounds alternate single digits and batches, as the floor does, each round one request.
  for (let round = 0; round < rounds; round++) {
    const single = await post<InferenceReply>(server, '/bench/inference', {
      pixels,
      kind: 'single',
      samples: blocksPerRound,
      size: SINGLE_BLOCK,
      warmUp: round === 0 ? 4 : 1,
    });
    const batch = await post<InferenceReply>(server, '/bench/inference', {
      pixels,
      kind: 'batch',
      samples: batchesPerRound,
      size: FLOOR_BATCH,
      warmUp: round === 0 ? 3 : 1,
    });
    singles.push(...single.timings.map((ms) => ms / SINGLE_BLOCK));
    batches.push(...batch.timings);
    empty.push(...single.empty, ...batch.empty);
    closedWithIo ||= single.closeWithIo || batch.closeWithIo;
    between();
  }
  return {
    single: summarise(singles),
    perDigitInBatch: scaleSummary(summarise(batches), FLOOR_BATCH),
    emptyTiming: summarise(empty),
    closedWithIo,
    predictions: singles.length * SINGLE_BLOCK + batches.length * FLOOR_BATCH,
  };
}

export interface RequestProfile {
  /** [step, ms per call] */
  readonly steps: readonly (readonly [string, number])[];
  readonly repeat: number;
  /** The calls of each step were taken in this many rounds, every step once a round. */
  readonly rounds: number;
}

/** Warm requests through the app inside the isolate (no HTTP), and their parts one by one. */
export async function measureRequestProfile(
  server: RunningWorker,
  digits: Digits,
  quick: boolean,
): Promise<RequestProfile> {
  return post<RequestProfile>(server, '/bench/request-profile', {
    pixels: float32ToBase64(digitAt(digits, 0)),
    png: Buffer.from(digitAsCanvasPng(digitAt(digits, 0))).toString('base64'),
    repeat: quick ? 50 : 200,
  });
}

/** The floor's single-digit figure computed the same way: means of blocks of SINGLE_BLOCK calls. */
const floorSingleInBlocks = (floorSamples: readonly number[]): Summary =>
  summarise(blockMeans(floorSamples, SINGLE_BLOCK));

/** `floor`: wasm floor timings taken in Node between the workerd rounds (paired in time). */
export function workerdSection(
  result: WorkerdInference,
  floor: BackendFloor,
  profile: RequestProfile | null,
): SectionResult {
  const area = 'Inference in workerd';
  const floorSingle = floorSingleInBlocks(floor.singleSamples);
  const floorBatch = floor.perDigitInBatch;
  const limitSingle = WORKERD_TARGET_FACTOR * floorSingle.median;
  const limitBatch = WORKERD_TARGET_FACTOR * floorBatch.median;
  const rows: BenchRow[] = [
    {
      area,
      figure: `1 digit, median / p99 (means of ${SINGLE_BLOCK})`,
      value: `${formatMs(result.single.median)} / ${formatMs(result.single.p99)}`,
      target: `median ≤ ${WORKERD_TARGET_FACTOR} × floor ${formatMs(floorSingle.median)} = ${formatMs(limitSingle)} (${formatRatio(result.single.median / floorSingle.median)})`,
      verdict: verdictAtMost(result.single.median, limitSingle),
    },
    {
      area,
      figure: `per digit in a batch of ${FLOOR_BATCH}, median / p99`,
      value: `${formatMs(result.perDigitInBatch.median)} / ${formatMs(result.perDigitInBatch.p99)}`,
      target: `median ≤ ${WORKERD_TARGET_FACTOR} × floor ${formatMs(floorBatch.median)} = ${formatMs(limitBatch)} (${formatRatio(result.perDigitInBatch.median / floorBatch.median)})`,
      verdict: verdictAtMost(result.perDigitInBatch.median, limitBatch),
    },
  ];
  const whole = profile?.steps.find(([name]) => name === WHOLE_PIXELS_REQUEST)?.[1];
  const inIsolateModel = profile?.steps.find(([name]) => name === IN_ISOLATE_MODEL)?.[1];
  if (whole !== undefined) {
    const limit = REQUEST_TARGET_FACTOR * floorSingle.median;
    rows.push({
      area,
      figure: 'whole pixels request, app.fetch(Request) → JSON Response (what Cloudflare bills)',
      value: formatMs(whole),
      target: `≤ ${REQUEST_TARGET_FACTOR} × floor ${formatMs(floorSingle.median)} = ${formatMs(limit)} (${formatRatio(whole / floorSingle.median)})`,
      verdict: verdictAtMost(whole, limit),
    });
  }
  const line = (label: string, s: Summary, f: Summary) => [
    label,
    String(s.count),
    formatMs(s.median),
    formatMs(s.p99),
    formatMs(f.median),
    formatMs(f.p99),
    formatRatio(s.median / f.median),
  ];
  const details = `The bench-only Worker entry \`bench/workerd/entry.ts\` (built by \`wrangler deploy --dry-run --config
bench/workerd/wrangler.toml\` and served by workerd through Miniflare, no file watching) loads the published model from local R2 with the Worker's own
\`loadModelFromR2\` and times the Worker's own \`FusedModel.predict\` (worker/model/fused-model.ts): input tensor,
fused ops, probabilities read back. ${formatNumber(result.predictions)} predictions in all.

Method: inside workerd \`performance.now()\` has 1 ms steps and, in production, advances only across I/O.
Each timing therefore starts right after an awaited timer (I/O), and runs ${SINGLE_BLOCK} one-digit predictions
(about 30 ms) or one batch of ${FLOOR_BATCH}, so a 1 ms step is a few percent of it. The entry first checks that
the clock advances during computation (it does in local workerd); had it not, each timing would be closed by
a second awaited timer too. ${result.closedWithIo ? 'This run had to close timings with a timer.' : 'This run read the clock directly at the end of each timing.'}
An empty timing read ${formatMs(result.emptyTiming.median)} median, ${formatMs(result.emptyTiming.max)} at most.
So the single-digit median and p99 are over means of ${SINGLE_BLOCK} predictions, and the floor's figure
beside them is computed the same way from its per-call samples (means of consecutive blocks of ${SINGLE_BLOCK}).
The floor here is not the floor section's: this run took a round of floor timings in Node right after each
workerd round, so that both saw the same machine load (the machine is shared).

${markdownTable(
  ['Figure', 'Samples', 'workerd median', 'workerd p99', 'floor median', 'floor p99', 'workerd / floor'],
  [
    line(`1 digit (means of ${SINGLE_BLOCK})`, result.single, floorSingle),
    line(`per digit, batch ${FLOOR_BATCH}`, result.perDigitInBatch, floorBatch),
  ],
  [1, 2, 3, 4, 5, 6],
)}${
  profile === null
    ? ''
    : `

Where a warm request's time goes (\`/bench/request-profile\`): whole requests through the real app inside the
isolate with \`app.fetch\` (no HTTP, no proxy; bodies with their Content-Length as over HTTP), then their
parts alone with the Worker's own modules. Each figure is the mean of ${profile.repeat} calls, taken in
${profile.rounds} rounds of ${profile.repeat / profile.rounds} (every step once a round, so the shared machine's changing load falls on
all steps alike). The whole pixels request (\`app again\`) is the figure in the summary.${
        inIsolateModel === undefined || whole === undefined
          ? ''
          : ` Against the Worker's own model call in the same rounds (\`part: model, 1 digit\`, ${formatMs(inIsolateModel)}), the whole request is ${formatRatio(whole / inIsolateModel)}.`
      }

${markdownTable(
  ['Step', 'ms per call'],
  profile.steps.map(([name, ms]) => [name, formatNumber(ms, 3)]),
  [1],
)}`
}`;
  return { title: 'Inference inside workerd', rows, details };
}

interface MemoryFigures {
  readonly tensors: number;
  readonly tensorBytes: number;
  readonly wasmHeapBytes: number | null;
  readonly failures: number;
}

export interface MemoryResult {
  readonly after100: MemoryFigures;
  readonly after10k: MemoryFigures;
  readonly predictions: number;
}

/** 100 predictions, then up to 10,000 in all, each a real POST /api/predict through the app in-isolate. */
export async function measureMemory(
  server: RunningWorker,
  digits: Digits,
  quick: boolean,
): Promise<MemoryResult> {
  const pixels = float32ToBase64(digits.pixels.subarray(0, 100 * PIXEL_COUNT));
  const total = quick ? 2000 : 10_000;
  const after100 = await post<MemoryFigures>(server, '/bench/memory', { pixels, predictions: 100 });
  let done = 100;
  let failures = after100.failures;
  let last = after100;
  while (done < total) {
    const chunk = Math.min(1000, total - done);
    last = await post<MemoryFigures>(server, '/bench/memory', { pixels, predictions: chunk });
    failures += last.failures;
    done += chunk;
  }
  return { after100, after10k: { ...last, failures }, predictions: done };
}

export function memorySection(result: MemoryResult): SectionResult {
  const area = 'Memory (workerd isolate)';
  const { after100: a, after10k: b } = result;
  const same =
    a.tensors === b.tensors && a.tensorBytes === b.tensorBytes && a.wasmHeapBytes === b.wasmHeapBytes;
  const heap = (f: MemoryFigures) => (f.wasmHeapBytes === null ? 'n/a' : formatKiB(f.wasmHeapBytes));
  const rows: BenchRow[] = [
    {
      area,
      figure: `tensors / wasm heap after 100 → ${formatNumber(result.predictions)} predictions`,
      value: `${a.tensors} → ${b.tensors} / ${heap(a)} → ${heap(b)}`,
      target: 'equal',
      verdict: same ? 'met' : 'missed',
    },
  ];
  const details = `Through the bench entry, ${formatNumber(result.predictions)} real \`POST /api/predict\` requests
(pixels of MNIST test digits) run through the real app (\`createApp().fetch\`) inside one workerd isolate,
${result.after10k.failures} of them answered other than 200. tfjs's \`tf.memory()\` gives the live tensors and
their bytes; the wasm heap is the backend's \`WebAssembly.Memory\` size (it grows, never shrinks).

${markdownTable(
  ['After', 'Tensors', 'Tensor bytes', 'Wasm heap'],
  [
    ['100 predictions', String(a.tensors), formatNumber(a.tensorBytes), heap(a)],
    [
      `${formatNumber(result.predictions)} predictions`,
      String(b.tensors),
      formatNumber(b.tensorBytes),
      heap(b),
    ],
  ],
  [1, 2, 3],
)}`;
  return { title: 'Memory after many predictions', rows, details };
}
