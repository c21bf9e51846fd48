/** Talking to the local server and running the operators' commands, for the weights-workflow tests. */
import { spawn } from 'node:child_process';
import { IMAGE_SIZE, PIXEL_COUNT } from '../../core/model-spec.ts';
import { REPO_ROOT, wranglerEnvironment } from '../../scripts/lib/wrangler-cli.ts';

/** A hand-made "1": a vertical stroke in the middle of the 28×28 grid, ink = 1. */
const STROKE_PIXELS: readonly number[] = Array.from({ length: PIXEL_COUNT }, (_, i) => {
  const row = Math.floor(i / IMAGE_SIZE);
  const column = i % IMAGE_SIZE;
  return row >= 4 && row < 24 && column >= 13 && column <= 14 ? 1 : 0;
});

export interface Prediction {
  readonly status: number;
  readonly version: string | undefined;
  readonly body: Record<string, unknown>;
  readonly retryAfter: string | null;
}

export async function predict(url: string, version?: string): Promise<Prediction> {
  const query = version === undefined ? '' : `?version=${encodeURIComponent(version)}`;
  const response = await fetch(`${url}/api/predict${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pixels: STROKE_PIXELS }),
  });
  const body = (await response.json()) as Record<string, unknown>;
  const model = body.model as { version?: string } | undefined;
  return {
    status: response.status,
    version: model?.version,
    body,
    retryAfter: response.headers.get('retry-after'),
  };
}

export interface Health {
  readonly status: number;
  /** The version serving, if any. */
  readonly version: string | undefined;
  /** The version of the last refused load, if any. */
  readonly failedVersion: string | undefined;
  readonly body: Record<string, unknown>;
  readonly retryAfter: string | null;
}

export async function health(url: string): Promise<Health> {
  const response = await fetch(`${url}/api/health`);
  const body = (await response.json()) as Record<string, unknown>;
  const model = body.model as { version?: string } | undefined;
  const failure = body.lastFailure as { version?: string } | null | undefined;
  return {
    status: response.status,
    version: model?.version ?? (body.version as string | undefined),
    failedVersion: failure?.version ?? undefined,
    body,
    retryAfter: response.headers.get('retry-after'),
  };
}

/** Polls `probe` until `accept` holds; fails with the last value seen after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (accept(last)) return last;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`condition not met within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

/**
 * Keeps `concurrency` request loops predicting until stop() and collects every answer: the tests check that
 * none failed while versions were switched underneath.
 */
export function startRequestLoops(url: string, concurrency: number) {
  const answers: { status: number; version: string | undefined }[] = [];
  let running = true;
  const loop = async (): Promise<void> => {
    while (running) {
      try {
        const answer = await predict(url);
        answers.push({ status: answer.status, version: answer.version });
      } catch (error) {
        answers.push({ status: 0, version: String(error) });
      }
    }
  };
  const loops = Array.from({ length: concurrency }, loop);
  return {
    answers,
    async stop() {
      running = false;
      await Promise.all(loops);
      return answers;
    },
  };
}

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `npm run -s <script> -- ...args` from the repository root, as an operator runs it. */
export function runScript(script: string, args: readonly string[]): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', '-s', script, '--', ...args], {
      cwd: REPO_ROOT,
      env: wranglerEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** Runs `npm run -s weights:<command> -- ...args`, the operators' own entry point. */
export function runWeights(
  command: 'publish' | 'list' | 'rollback',
  args: readonly string[],
): Promise<CommandResult> {
  return runScript(`weights:${command}`, args);
}
