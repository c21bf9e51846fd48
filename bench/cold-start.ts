/**
 * Cold start: a fresh isolate answering its first prediction, which starts tfjs's wasm backend and reads and
 * verifies the model from local R2. Timed on the deploy bundle in a fresh workerd per run; then profiled in
 * phases and op by op through the bench entry (bench/workerd), each in another fresh isolate.
 */
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

export const COLD_START_TARGET_MS = 40;
/** Target: the cold answer at most this many times the warm answer of the same run. */
export const COLD_TO_WARM_TARGET = 6;
const WARM_REQUESTS = 5;

export interface ColdStartSample {
  /** First POST /api/predict of a fresh isolate, timed in Node around fetch. */
  readonly firstMs: number;
  /** Median of the next WARM_REQUESTS identical requests. */
  readonly warmMs: number;
  readonly serverTiming: string;
  /** Seconds workerd took to start and load the bundle (before the isolate's first request). */
  readonly startSeconds: number;
}

export interface ColdStartResult {
  readonly samples: readonly ColdStartSample[];
  /** [phase, ms] of a fresh isolate's cold path, timed inside workerd; null if not profiled. */
  readonly phases: readonly (readonly [string, number])[] | null;
  /** [op call, ms] of a fresh isolate's first two predictions, op by op. */
  readonly ops: readonly (readonly [string, number])[] | null;
  /** [request, ms] of a fresh isolate's first requests through the app, in-isolate. */
  readonly appRequests: readonly (readonly [string, number])[] | null;
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
  for (let run = 0; run < (quick ? 2 : 7); run++) {
    const starting = performance.now();
    const worker = await startBundledWorker(bundles.app, state);
    const startSeconds = (performance.now() - starting) / 1000;
    try {
      const first = await timedPredict(worker, body);
      const warm: number[] = [];
      for (let i = 0; i < WARM_REQUESTS; i++) warm.push((await timedPredict(worker, body)).ms);
      samples.push({
        firstMs: first.ms,
        warmMs: median(warm),
        serverTiming: first.serverTiming,
        startSeconds,
      });
    } finally {
      await worker.stop();
    }
  }
  if (quick) return { samples, phases: null, ops: null, appRequests: null };
  const { phases } = await profile<{ phases: [string, number][] }>(
    state,
    bundles.bench,
    '/bench/cold-phases',
  );
  const { calls } = await profile<{ calls: [string, number][] }>(state, bundles.bench, '/bench/cold-ops');
  const app = await profile<{ phases: [string, number][] }>(state, bundles.bench, '/bench/cold-app');
  return { samples, phases, ops: calls, appRequests: app.phases };
}

export function coldStartSection(result: ColdStartResult): SectionResult {
  const firsts = result.samples.map((s) => s.firstMs);
  const typical = median(firsts);
  const warm = median(result.samples.map((s) => s.warmMs));
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
  ];
  const profileTable = (title: string, entries: readonly (readonly [string, number])[]) =>
    markdownTable(
      [title, 'ms'],
      entries.map(([name, ms]) => [name, formatNumber(ms)]),
      [1],
    );
  const profiles =
    result.phases === null || result.ops === null || result.appRequests === null
      ? ''
      : `

Where a cold start's time goes, timed inside workerd by the bench entry (\`/bench/cold-phases\` and
\`/bench/cold-ops\` of \`bench/workerd/entry.ts\`), each the first request of its own fresh isolate (the bench entry's deploy
bundle in a fresh workerd). The phases call the Worker's own \`readyTfjs\`, \`loadModelFromR2\` and \`FusedModel.predict\`;
the op profile runs the same raw ops on the same weights twice. The clock has 1 ms steps.

${profileTable('Phase of the cold path', result.phases)}

The same isolate work through the real app (\`/bench/cold-app\`, another fresh isolate, requests passed to
\`app.fetch\` inside it): what the app's first requests add to those phases.

${profileTable('Request', result.appRequests)}

${profileTable('Op call', result.ops)}`;
  const details = `Each run starts a fresh workerd (so a fresh isolate) through Miniflare on the bundle \`wrangler deploy
--dry-run\` builds (see the HTTP section), then sends one \`POST /api/predict\` with pixels, timed in Node from
sending to the last byte. That answer includes starting tfjs's wasm backend from the bundled module, reading
\`models/current.json\`, the manifest, \`model.json\` and the weight shard from local R2, their sha256 checks,
decoding and checking the uint8 weights, and the prediction itself. The module's top-level evaluation
happens when workerd loads the script (on Cloudflare, before the first request is routed) and is not
counted. \`Server-Timing\` is the Worker's own header; inside workerd the clock has 1 ms steps.

${markdownTable(
  [
    'Run',
    'First prediction',
    `Then warm (median of ${WARM_REQUESTS})`,
    'Server-Timing of the first',
    'workerd start',
  ],
  result.samples.map((s, i) => [
    String(i + 1),
    formatMs(s.firstMs),
    formatMs(s.warmMs),
    `\`${s.serverTiming.replace(/;desc="[^"]*"/g, '')}\``,
    `${formatNumber(s.startSeconds, 1)} s`,
  ]),
  [1, 2, 4],
)}${profiles}`;
  return { title: 'Cold start', rows, details };
}
