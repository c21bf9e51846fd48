/**
 * Cold start: a fresh workerd (new `wrangler dev`, so a new isolate) answering its first prediction, which
 * starts tfjs's wasm backend and reads and verifies the model from local R2. Served through the bench entry,
 * whose readiness probe leaves tfjs unstarted; the prediction itself goes to the real app.
 */
import type { LocalServer } from '../scripts/local-server.ts';
import type { SeededState } from './lib/local-state.ts';
import { startServer } from './lib/local-state.ts';
import type { Digits } from './lib/mnist-inputs.ts';
import { digitAt } from './lib/mnist-inputs.ts';
import {
  type BenchRow,
  formatMs,
  formatNumber,
  markdownTable,
  type SectionResult,
  verdictAtMost,
} from './lib/report.ts';
import { median } from './lib/stats.ts';

export const COLD_START_TARGET_MS = 100;
const WARM_REQUESTS = 5;

export interface ColdStartSample {
  /** First POST /api/predict, measured in Node around fetch. */
  readonly firstMs: number;
  /** Median of the next WARM_REQUESTS identical requests. */
  readonly warmMs: number;
  readonly serverTiming: string;
  /** Seconds `wrangler dev` took to bundle and start before the isolate answered its probe. */
  readonly serverStartSeconds: number;
}

export interface ColdStartResult {
  readonly samples: readonly ColdStartSample[];
}

async function timedPredict(
  server: LocalServer,
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

export async function measureColdStart(
  state: SeededState,
  digits: Digits,
  quick: boolean,
): Promise<ColdStartResult> {
  const body = JSON.stringify({ pixels: Array.from(digitAt(digits, 0)) });
  const samples: ColdStartSample[] = [];
  for (let run = 0; run < (quick ? 1 : 4); run++) {
    const starting = performance.now();
    const server = await startServer(state, 'bench');
    const serverStartSeconds = (performance.now() - starting) / 1000;
    try {
      const first = await timedPredict(server, body);
      const warm: number[] = [];
      for (let i = 0; i < WARM_REQUESTS; i++) warm.push((await timedPredict(server, body)).ms);
      samples.push({
        firstMs: first.ms,
        warmMs: median(warm),
        serverTiming: first.serverTiming,
        serverStartSeconds,
      });
    } finally {
      await server.stop();
    }
  }
  return { samples };
}

export function coldStartSection(result: ColdStartResult): SectionResult {
  const firsts = result.samples.map((s) => s.firstMs);
  const typical = median(firsts);
  const warm = median(result.samples.map((s) => s.warmMs));
  const rows: BenchRow[] = [
    {
      area: 'Cold start',
      figure: `first prediction of a fresh isolate, median (max) of ${firsts.length}`,
      value: `${formatMs(typical)} (${formatMs(Math.max(...firsts))}); warm ${formatMs(warm)}`,
      target: `≤ ${COLD_START_TARGET_MS} ms`,
      verdict: verdictAtMost(typical, COLD_START_TARGET_MS),
    },
  ];
  const details = `Each run starts a fresh \`wrangler dev\` (a new workerd process, so a new isolate) on the bench entry
\`bench/workerd/entry.ts\`, whose \`/api/health\` readiness probe answers without touching tfjs. Then one
\`POST /api/predict\` with pixels goes to the real app; it is timed in Node from sending to the last byte. That
answer includes starting tfjs's wasm backend from the bundled module, reading \`models/current.json\`, the
manifest, \`model.json\` and the weight shard from local R2, their sha256 checks, decoding the uint8 weights
and the prediction itself. The module's top-level evaluation happened at workerd start-up (as it does on
Cloudflare before the first request is routed) and is not counted. \`Server-Timing\` is the Worker's own header
(inside workerd the clock advances across I/O, such as the R2 reads).

${markdownTable(
  ['Run', 'First prediction', 'Then warm (median of 5)', 'Server-Timing of the first', 'wrangler dev start'],
  result.samples.map((s, i) => [
    String(i + 1),
    formatMs(s.firstMs),
    formatMs(s.warmMs),
    `\`${s.serverTiming}\``,
    `${formatNumber(s.serverStartSeconds, 1)} s`,
  ]),
  [1, 2, 4],
)}`;
  return { title: 'Cold start', rows, details };
}
