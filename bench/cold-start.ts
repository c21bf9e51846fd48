/**
 * Cold start: a fresh isolate answering its first prediction, which starts tfjs's wasm backend and reads and
 * verifies the model from local R2. Timed on the deploy bundle in a fresh workerd per run; then profiled in
 * phases and op by op through the bench entry (bench/workerd), each in another fresh isolate.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CURRENT_BUNDLE_KEY, CURRENT_POINTER_KEY } from '../core/manifest.ts';
import { type RunningWorker, startBundledWorker, type WorkerBundle } from './lib/bundled-worker.ts';
import type { SeededState } from './lib/local-state.ts';
import type { Digits } from './lib/mnist-inputs.ts';
import { digitAt } from './lib/mnist-inputs.ts';
import {
  type BenchRow,
  formatMs,
  formatNumber,
  formatRatio,
  markdownTable,
  type SectionResult,
  verdictAtMost,
} from './lib/report.ts';
import { median } from './lib/stats.ts';

const COLD_START_TARGET_MS = 40;
/** Target: the cold answer at most this many times the warm answer of the same run. */
const COLD_TO_WARM_TARGET = 6;
const WARM_REQUESTS = 5;

interface ColdStartSample {
  /** First POST /api/predict of a fresh isolate, timed in Node around fetch. */
  readonly firstMs: number;
  /** Median of the next WARM_REQUESTS identical requests. */
  readonly warmMs: number;
  readonly serverTiming: string;
  /** Seconds workerd took to start and load the bundle (before the isolate's first request). */
  readonly startSeconds: number;
  /** The same for a Worker of one line, started right after: workerd's own share of startSeconds. */
  readonly oneLineStartSeconds: number;
  /** That one-line Worker's first answer (it reads the pointer and the bundle from the same local R2). */
  readonly floorFirstMs: number;
  /** Its median answer of the next WARM_REQUESTS. */
  readonly floorWarmMs: number;
}

export interface ColdStartResult {
  readonly samples: readonly ColdStartSample[];
  /** [phase, ms] of a fresh isolate's cold path, timed inside workerd; null if not profiled. */
  readonly phases: readonly (readonly [string, number])[] | null;
  /** [op call, ms] of a fresh isolate's first two predictions, op by op. */
  readonly ops: readonly (readonly [string, number])[] | null;
  /** [request or part, ms] of a fresh isolate's first requests through the app, in-isolate. */
  readonly appRequests: readonly (readonly [string, number])[] | null;
  /** Server-Timing of that isolate's first answer. */
  readonly appServerTiming: string | null;
}

/**
 * A Worker of one line, as a bundle: what starting workerd costs without our script and wasm, and what a
 * cold request costs that only reads what the Worker's cold path reads (the pointer and the current bundle,
 * in parallel) from the same local R2, through the same Miniflare: the floor of this harness.
 */
async function floorWorkerBundle(): Promise<WorkerBundle> {
  const directory = await mkdtemp(join(tmpdir(), 'digit-edge-one-line-'));
  const keys = JSON.stringify([CURRENT_POINTER_KEY, CURRENT_BUNDLE_KEY]);
  await writeFile(
    join(directory, 'index.js'),
    `export default { fetch: async (request, env) => { await request.arrayBuffer(); ` +
      `const sizes = await Promise.all(${keys}.map(async (key) => (await (await env.MODELS.get(key))?.arrayBuffer())?.byteLength)); ` +
      `return Response.json(sizes); } };\n`,
  );
  return {
    directory,
    files: ['index.js'],
    wranglerOutput: '',
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}

async function timedPredict(
  server: Pick<RunningWorker, 'url'>,
  body: string,
): Promise<{ ms: number; serverTiming: string }> {
  const started = performance.now();
  const response = await fetch(`${server.url}/api/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await response.arrayBuffer();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`the first prediction answered ${response.status}`);
  return { ms, serverTiming: response.headers.get('server-timing') ?? '' };
}

/** A fresh workerd: its first answer to `body`, then the median of WARM_REQUESTS more, and its start time. */
async function coldAndWarm(
  bundle: WorkerBundle,
  state: SeededState,
  body: string,
): Promise<{ startSeconds: number; first: { ms: number; serverTiming: string }; warmMs: number }> {
  const starting = performance.now();
  const worker = await startBundledWorker(bundle, state);
  const startSeconds = (performance.now() - starting) / 1000;
  try {
    const first = await timedPredict(worker, body);
    const warm: number[] = [];
    for (let i = 0; i < WARM_REQUESTS; i++) warm.push((await timedPredict(worker, body)).ms);
    return { startSeconds, first, warmMs: median(warm) };
  } finally {
    await worker.stop();
  }
}

/** A fresh bench-entry isolate's answer to one profiling request. */
async function profile<T>(state: SeededState, bundle: WorkerBundle, path: string): Promise<T> {
  const server = await startBundledWorker(bundle, state);
  try {
    const response = await fetch(`${server.url}${path}`);
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  } finally {
    await server.stop();
  }
}

export async function measureColdStart(
  state: SeededState,
  bundles: { readonly app: WorkerBundle; readonly bench: WorkerBundle },
  digits: Digits,
  quick: boolean,
): Promise<ColdStartResult> {
  const body = JSON.stringify({ pixels: Array.from(digitAt(digits, 0)) });
  const samples: ColdStartSample[] = [];
  const floor = await floorWorkerBundle();
  try {
    for (let run = 0; run < (quick ? 2 : 7); run++) {
      const app = await coldAndWarm(bundles.app, state, body);
      const oneLine = await coldAndWarm(floor, state, body);
      samples.push({
        firstMs: app.first.ms,
        warmMs: app.warmMs,
        serverTiming: app.first.serverTiming,
        startSeconds: app.startSeconds,
        oneLineStartSeconds: oneLine.startSeconds,
        floorFirstMs: oneLine.first.ms,
        floorWarmMs: oneLine.warmMs,
      });
    }
  } finally {
    await floor.remove();
  }
  const app = await profile<{ phases: [string, number][]; serverTiming: string }>(
    state,
    bundles.bench,
    '/bench/cold-app',
  );
  if (quick)
    return { samples, phases: null, ops: null, appRequests: app.phases, appServerTiming: app.serverTiming };
  const { phases } = await profile<{ phases: [string, number][] }>(
    state,
    bundles.bench,
    '/bench/cold-phases',
  );
  const { calls } = await profile<{ calls: [string, number][] }>(state, bundles.bench, '/bench/cold-ops');
  return { samples, phases, ops: calls, appRequests: app.phases, appServerTiming: app.serverTiming };
}

export function coldStartSection(result: ColdStartResult): SectionResult {
  const firsts = result.samples.map((s) => s.firstMs);
  const typical = median(firsts);
  const warm = median(result.samples.map((s) => s.warmMs));
  const floorFirst = median(result.samples.map((s) => s.floorFirstMs));
  const floorWarm = median(result.samples.map((s) => s.floorWarmMs));
  const rows: BenchRow[] = [
    {
      area: 'Cold start',
      figure: `first prediction of a fresh isolate, median (max) of ${firsts.length}`,
      value: `${formatMs(typical)} (${formatMs(Math.max(...firsts))}); then warm ${formatMs(warm)}`,
      target: `≤ ${COLD_START_TARGET_MS} ms`,
      verdict: verdictAtMost(typical, COLD_START_TARGET_MS),
    },
    {
      area: 'Cold start',
      figure: 'first prediction / warm prediction of the same runs, medians',
      value: formatRatio(typical / warm),
      target: `≤ ${COLD_TO_WARM_TARGET}×`,
      verdict: verdictAtMost(typical / warm, COLD_TO_WARM_TARGET),
    },
    {
      area: 'Cold start',
      figure:
        "the harness's floor: a one-line Worker reading the same pointer and bundle, first / warm, medians",
      value: `${formatMs(floorFirst)} / ${formatMs(floorWarm)} = ${formatRatio(floorFirst / floorWarm)}`,
    },
  ];
  const profileTable = (title: string, entries: readonly (readonly [string, number])[]) =>
    markdownTable(
      [title, 'ms'],
      // Leading spaces mark parts of the row above; Markdown would drop them.
      entries.map(([name, ms]) => [
        name.replace(/^( +)/, (spaces) => '\u00a0'.repeat(spaces.length * 2)),
        formatNumber(ms),
      ]),
      [1],
    );
  const scriptLoad = median(result.samples.map((s) => (s.startSeconds - s.oneLineStartSeconds) * 1000));
  const firstInIsolate = result.appRequests?.find(([name]) => name.includes('(cold)'))?.[1];
  const app =
    result.appRequests === null
      ? ''
      : `

Where the first answer's milliseconds go, inside the isolate (\`/bench/cold-app\` of \`bench/workerd/entry.ts\`: a
fresh workerd on the bench entry's deploy bundle, built with the Worker's own aliases; the request is passed
to the real app's \`app.fetch\`). The parts of the first request are the Worker's own timings from the
\`model_switched\` line it logs (worker/model/model-registry.ts, worker/model/load-model.ts,
worker/tfjs-wasm.ts): the registry starts tfjs's wasm backend while it reads the pointer and the current
bundle, so those parts overlap; the tensors wait for both. The clock has 1 ms steps, so parts under 1 ms read 0 or 1.
Server-Timing of that first answer: \`${(result.appServerTiming ?? '').replace(/;desc="[^"]*"/g, '')}\`.

${profileTable('Cold path through the app', result.appRequests)}

Outside those: before its first request, workerd started with the Worker's bundle took
${formatMs(scriptLoad)} longer than with the one-line Worker (median of the runs above; the runs'
\`workerd start\` columns): compiling the script and the SIMD wasm module (a \`CompiledWasm\` module is compiled
when workerd loads the Worker, not at the first request) and the top-level evaluation (read inside the isolate
above; 0 means under the clock's 1 ms step, or a clock that does not move while workerd loads the script).
The first answer timed in Node (${formatMs(typical)}, median of the runs above) adds Miniflare's loopback proxy
and the first connection to the isolate's own work (${firstInIsolate === undefined ? 'not measured' : formatMs(firstInIsolate)} in the one profiled isolate).`;
  const profiles =
    result.phases === null || result.ops === null
      ? ''
      : `

The same steps one after the other, with nothing overlapping (\`/bench/cold-phases\`, another fresh isolate): what
each costs alone, by the Worker's own \`readyTfjs\`, \`loadModelFromR2\` and \`FusedModel.predict\`. Then the op
profile (\`/bench/cold-ops\`, another fresh isolate), the same raw ops on the same weights twice.

${profileTable('Phase of the cold path, in sequence', result.phases)}

${profileTable('Op call', result.ops)}`;
  const details = `Each run starts a fresh workerd (so a fresh isolate) through Miniflare on the bundle \`wrangler deploy
--dry-run\` builds (see the HTTP section), then sends one \`POST /api/predict\` with pixels, timed in Node from
sending to the last byte. That answer includes reading \`models/current.json\` and \`models/current.bundle\` (the
manifest, \`model.json\` and the weight shard in one object) from local R2 in parallel, their sha256 checks,
decoding and checking the uint8 weights, setting up the model's operators on them, and the prediction
itself. The module's top-level evaluation happens when workerd loads the script (on Cloudflare, while the
first connection's TLS handshake runs, before the first request is routed) and is not counted; neither is
the Worker's prewarm (\`worker/prewarm.ts\`), which runs then, with no I/O: it builds the router, starts
tfjs's wasm backend, runs one model load and one pixels request on a stand-in model (manifest schema,
sha256 and weight checks, kernels, detector) and two requests through a throw-away app, and writes the first
log line, so that their code is compiled before the first request (its figures are the first rows of the
profiles below). \`Server-Timing\` is the Worker's own header; inside workerd the clock has 1 ms steps.

Each run then starts a one-line Worker in another fresh workerd, on the same state, that reads the same two
R2 objects per request and answers: its first answer against its warm ones is what this harness adds to any
cold start (Miniflare's proxy and first connection, and the first read of local R2, which starts its
simulator), with none of our code.

${markdownTable(
  [
    'Run',
    'First prediction',
    `Then warm (median of ${WARM_REQUESTS})`,
    'Server-Timing of the first',
    'workerd start',
    'workerd start, one-line Worker',
    'one-line Worker: first',
    'then warm',
  ],
  result.samples.map((s, i) => [
    String(i + 1),
    formatMs(s.firstMs),
    formatMs(s.warmMs),
    `\`${s.serverTiming.replace(/;desc="[^"]*"/g, '')}\``,
    `${formatNumber(s.startSeconds, 2)} s`,
    `${formatNumber(s.oneLineStartSeconds, 2)} s`,
    formatMs(s.floorFirstMs),
    formatMs(s.floorWarmMs),
  ]),
  [1, 2, 4, 5, 6, 7],
)}${app}${profiles}`;
  return { title: 'Cold start', rows, details };
}
