/**
 * HTTP under load on loopback: autocannon against the real Worker served by `wrangler dev` (the local
 * server `npm start` runs), a fixed number of connections for a fixed time per scenario.
 */
import autocannon from 'autocannon';
import type { Digits } from './lib/mnist-inputs.ts';
import { digitAt } from './lib/mnist-inputs.ts';
import {
  type BenchRow,
  formatKiB,
  formatMs,
  formatNumber,
  markdownTable,
  type SectionResult,
  verdictAtLeast,
} from './lib/report.ts';
import { digitAsCanvasPng } from './lib/test-images.ts';

const HTTP_CONNECTIONS = 8;
const HTTP_BATCH = 64;
/** Target: predictions per second with pixels at least this share of the floor's 1000 / ms. */
const HTTP_TARGET_SHARE = 0.6;

interface Scenario {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly contentType?: string;
  readonly body?: string | Buffer;
  readonly predictionsPerRequest: number;
}

interface ScenarioResult {
  readonly scenario: string;
  readonly requestBytes: number;
  readonly requests: number;
  readonly seconds: number;
  readonly requestsPerSecond: number;
  readonly predictionsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly failures: number;
}

/** Where the load goes: a base URL and what serves it. */
export interface HttpTarget {
  readonly url: string;
  /** e.g. `wrangler dev (npm start)`. */
  readonly name: string;
}

export interface HttpResult {
  readonly target: string;
  readonly scenarios: readonly ScenarioResult[];
  readonly durationSeconds: number;
  readonly tensorsBefore: number | null;
  readonly tensorsAfter: number | null;
}

function scenarios(digits: Digits): Scenario[] {
  const pixelsBody = (i: number) => ({
    pixels: Array.from(digitAt(digits, i), (v) => Math.round(v * 1000) / 1000),
  });
  return [
    {
      name: 'POST /api/predict, pixels (JSON)',
      method: 'POST',
      path: '/api/predict',
      contentType: 'application/json',
      body: JSON.stringify(pixelsBody(0)),
      predictionsPerRequest: 1,
    },
    {
      name: 'POST /api/predict, PNG upload (280×280 canvas export)',
      method: 'POST',
      path: '/api/predict',
      contentType: 'image/png',
      body: Buffer.from(digitAsCanvasPng(digitAt(digits, 0))),
      predictionsPerRequest: 1,
    },
    {
      name: `POST /api/predict/batch, ${HTTP_BATCH} pixel digits`,
      method: 'POST',
      path: '/api/predict/batch',
      contentType: 'application/json',
      body: JSON.stringify({ images: Array.from({ length: HTTP_BATCH }, (_, i) => pixelsBody(i)) }),
      predictionsPerRequest: HTTP_BATCH,
    },
    { name: 'GET /api/health', method: 'GET', path: '/api/health', predictionsPerRequest: 0 },
  ];
}

async function tensorCount(server: HttpTarget): Promise<number | null> {
  const response = await fetch(`${server.url}/api/health`);
  const health = (await response.json()) as { runtime?: { tensors?: number } };
  return health.runtime?.tensors ?? null;
}

async function runScenario(
  server: HttpTarget,
  scenario: Scenario,
  duration: number,
): Promise<ScenarioResult> {
  const headers = scenario.contentType === undefined ? undefined : { 'content-type': scenario.contentType };
  const url = `${server.url}${scenario.path}`;
  // A few requests first, each checked: a benchmark of error answers would be worthless.
  for (let i = 0; i < 5; i++) {
    const body =
      typeof scenario.body === 'string' ? scenario.body : scenario.body && new Uint8Array(scenario.body);
    const response = await fetch(url, {
      method: scenario.method,
      ...(headers ? { headers } : {}),
      ...(body ? { body } : {}),
    });
    if (!response.ok)
      throw new Error(`${scenario.name} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
  const result = await autocannon({
    url,
    method: scenario.method,
    ...(headers ? { headers } : {}),
    ...(scenario.body ? { body: scenario.body } : {}),
    connections: HTTP_CONNECTIONS,
    duration,
    timeout: 30,
  });
  const requests = result['2xx'];
  const seconds = result.duration;
  return {
    scenario: scenario.name,
    requestBytes: scenario.body?.length ?? 0,
    requests,
    seconds,
    requestsPerSecond: requests / seconds,
    predictionsPerSecond: (requests * scenario.predictionsPerRequest) / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
  };
}

export async function measureHttp(server: HttpTarget, digits: Digits, quick: boolean): Promise<HttpResult> {
  const duration = quick ? 3 : 10;
  const tensorsBefore = await tensorCount(server);
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios(digits)) results.push(await runScenario(server, scenario, duration));
  return {
    target: server.name,
    scenarios: results,
    durationSeconds: duration,
    tensorsBefore,
    tensorsAfter: await tensorCount(server),
  };
}

/** `floorSingleMs`: the floor's median for one digit, measured in the same run. */
export function httpSection(results: readonly HttpResult[], floorSingleMs: number): SectionResult {
  const target = HTTP_TARGET_SHARE * (1000 / floorSingleMs);
  const rows: BenchRow[] = results.flatMap((result) =>
    result.scenarios.map((s, index) => {
      const perSecond =
        s.predictionsPerSecond > 0 && s.predictionsPerSecond !== s.requestsPerSecond
          ? `${formatNumber(s.requestsPerSecond)} req/s (${formatNumber(s.predictionsPerSecond)} digits/s)`
          : `${formatNumber(s.requestsPerSecond)} req/s`;
      const row: BenchRow = {
        area: `HTTP, ${result.target}`,
        figure: `${s.scenario}: throughput, p50 / p99`,
        value: `${perSecond}, ${formatMs(s.p50)} / ${formatMs(s.p99)}${s.failures > 0 ? `, ${s.failures} failed` : ''}`,
      };
      return index === 0
        ? {
            ...row,
            target: `≥ ${HTTP_TARGET_SHARE} × 1000 / floor ${formatMs(floorSingleMs)} = ${formatNumber(target)}/s (reached ${formatNumber((100 * s.predictionsPerSecond) / target)}%)`,
            verdict: verdictAtLeast(s.predictionsPerSecond, target),
          }
        : row;
    }),
  );
  const table = (result: HttpResult) => {
    const tensors =
      result.tensorsBefore === null
        ? ''
        : `\n\n\`GET /api/health\` reported ${result.tensorsBefore} live tensors before the load and ${result.tensorsAfter} after it.`;
    return `### ${result.target}

${markdownTable(
  ['Scenario', 'Body', 'Requests', 'req/s', 'digits/s', 'p50', 'p99', 'Failed'],
  result.scenarios.map((s) => [
    s.scenario,
    s.requestBytes === 0 ? '' : formatKiB(s.requestBytes),
    formatNumber(s.requests),
    formatNumber(s.requestsPerSecond),
    formatNumber(s.predictionsPerSecond),
    formatMs(s.p50),
    formatMs(s.p99),
    String(s.failures),
  ]),
  [1, 2, 3, 4, 5, 6, 7],
)}${tensors}`;
  };
  const details = `autocannon, in the bench process, on loopback: ${HTTP_CONNECTIONS} connections, ${results[0]?.durationSeconds ?? '?'} s a scenario, no
pipelining; load generator and server share this machine's cores. Latency counts only 2xx answers; every
scenario was first checked to answer 200. The pixel body is one MNIST test digit; the PNG is that digit scaled
to 280×280 with its ink in the alpha channel, as a browser canvas exports it. Two servers, the same Worker code:

- **wrangler dev (npm start)**: \`startLocalServer()\` from scripts/local-server.ts, as \`npm start\` runs it.
  Each request passes wrangler's dev proxy and Miniflare's request logging before the Worker.
- **deploy bundle in workerd**: the bundle \`wrangler deploy --dry-run\` builds, served by workerd through
  Miniflare directly (bench/lib/bundled-worker.ts): no dev proxy, the nearest local stand-in for the deployed
  Worker.

Target: predictions per second with pixels at least ${HTTP_TARGET_SHARE} × (1000 / floor single-digit median) = ${formatNumber(target)}/s,
with the floor measured in this run just before the load. In other words the whole request path may cost at
most ${formatNumber(1 / HTTP_TARGET_SHARE, 2)}× the model's own time per prediction.

${results.map(table).join('\n\n')}`;
  return { title: 'HTTP under load', rows, details };
}
