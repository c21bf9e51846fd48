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

/** Runs `npx wrangler ...args` to completion; `input` is written to its stdin (for `--pipe` uploads). */
export function runWrangler(args: readonly string[], input?: Uint8Array): Promise<WranglerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['wrangler', ...args], {
      cwd: REPO_ROOT,
      env: wranglerEnvironment(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({
        code: code ?? 1,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
      }),
    );
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
