/**
 * Runs the project's own wrangler (Node 22 through `npx`, see package.json) from the repository root, with
 * telemetry and Cloudflare's remote look-ups switched off.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The environment every wrangler/miniflare child gets: no telemetry, no request.cf fetch. */
export function wranglerEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    ...extra,
  };
}

export interface WranglerResult {
  readonly code: number;
  /** Raw bytes: `r2 object get --pipe` writes the object here. */
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Longest a wrangler call may take (a start on a loaded machine plus one upload of a model file to R2).
 * A call still running then is killed, with its child processes, and fails like any other.
 */
const WRANGLER_TIMEOUT_MS = 180_000;

/** The exit status reported for a call that was killed at its deadline (as timeout(1) does). */
export const TIMED_OUT_CODE = 124;

export interface WranglerOptions {
  /** Default WRANGLER_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/** Runs `npx wrangler ...args` to completion; `input` is written to its stdin (for `--pipe` uploads). */
export function runWrangler(
  args: readonly string[],
  input?: Uint8Array,
  options: WranglerOptions = {},
): Promise<WranglerResult> {
  const timeoutMs = options.timeoutMs ?? WRANGLER_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['wrangler', ...args], {
      cwd: REPO_ROOT,
      env: wranglerEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a timeout reaches wrangler and workerd under npx too.
      detached: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // ESRCH: already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin.on('error', () => {}); // a killed child closes its stdin early
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = Buffer.concat(stderr).toString('utf8');
      resolve({
        code: timedOut ? TIMED_OUT_CODE : (code ?? 1),
        stdout: Buffer.concat(stdout),
        stderr: timedOut
          ? `${text}\n✘ wrangler ${args.slice(0, 3).join(' ')} timed out after ${timeoutMs} ms`
          : text,
      });
    });
    child.stdin.end(input ?? undefined);
  });
}

/** The last meaningful line wrangler printed about a failure, without colour codes and its log-file hint. */
export function wranglerFailureReason(result: WranglerResult): string {
  const plain = stripVTControlCharacters(`${result.stderr}\n${result.stdout.toString('utf8')}`);
  const lines = plain
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.includes('Logs were written') && !/^[─⛅]/.test(line));
  const error = lines.find((line) => line.startsWith('✘'));
  return (error ?? lines.at(-1) ?? `wrangler exited with status ${result.code}`).replace(
    /^✘\s*(\[ERROR\]\s*)?/,
    '',
  );
}
