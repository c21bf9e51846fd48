/**
 * Starts the whole app (site + API) locally in workerd through `wrangler dev --local`, with its R2 state
 * seeded with the committed model through the same publish workflow operators use and the D1 migrations
 * applied. `npm start`, the
 * browser tests and the benchmarks all start it through here.
 *
 * @example
 * const server = await startLocalServer({ vars: { MODEL_REFRESH_SECONDS: '1' } });
 * const health = await fetch(`${server.url}/api/health`);
 * await server.stop();
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_MODEL_DIR } from '../core/manifest.ts';
import { applyFeedbackMigrations } from './lib/feedback-database.ts';
import { findFreePort, isPortFree } from './lib/free-port.ts';
import { openLocalBucket } from './lib/local-bucket.ts';
import { publishExport } from './lib/publish-model.ts';
import { REPO_ROOT, wranglerEnvironment } from './lib/wrangler-cli.ts';

export interface LocalServerOptions {
  /** 0 or absent: a free port. */
  readonly port?: number;
  /** Local R2/cache state. Absent: a fresh temporary folder, removed by stop(). */
  readonly persistTo?: string;
  /** 0 or absent: a free port (two servers at once need different ones). */
  readonly inspectorPort?: number;
  /** Publish the committed model into the state first (default true); false starts with an empty bucket. */
  readonly seed?: boolean;
  /** Overrides of wrangler.toml [vars], e.g. MODEL_REFRESH_SECONDS. */
  readonly vars?: Record<string, string>;
  /** Export folder used for seeding (default models/default). */
  readonly modelDir?: string;
  /** Where wrangler dev's output goes besides the failure message (default: kept quiet). */
  readonly onOutput?: (text: string) => void;
  /** Another wrangler configuration (default: the repository's wrangler.toml). */
  readonly config?: string;
  /** How long to wait for the first answer from /api/health (default 180 s). */
  readonly startTimeoutMs?: number;
}

export interface LocalServer {
  /** e.g. http://127.0.0.1:8787, no trailing slash. */
  readonly url: string;
  readonly persistTo: string;
  /** The last few thousand characters wrangler dev printed (for failure messages). */
  output(): string;
  /** Settles when wrangler dev has exited, whether through stop() or not. */
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
/** How much of wrangler's output to keep for the error message when it dies at start. */
const OUTPUT_TAIL_CHARS = 8000;

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

const exited = (child: ChildProcess): boolean => child.exitCode !== null || child.signalCode !== null;

/** Signals the whole process group (npx → wrangler → workerd); the group may already be gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: nothing left to stop
  }
}

/** True while any process of the group is alive (signal 0 only checks). */
function groupAlive(child: ChildProcess): boolean {
  if (child.pid === undefined) return false;
  try {
    process.kill(-child.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (!exited(child)) {
    const gone = new Promise<void>((done) => child.once('exit', () => done()));
    signalGroup(child, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
  // workerd may outlive its parent and still be writing to the local state: removing that folder
  // before the whole group is gone fails with ENOTEMPTY.
  signalGroup(child, 'SIGKILL');
  for (let waited = 0; groupAlive(child) && waited < 10_000; waited += 50) await sleep(50);
}

/** Waits until GET /api/health answers at all (any status), or fails with wrangler's output. */
async function waitUntilServing(
  url: string,
  child: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited(child)) {
      throw new Error(
        `wrangler dev exited (${child.exitCode ?? child.signalCode}) before serving:\n${output()}`,
      );
    }
    try {
      // The first answer may wait for a cold model load: give it the time left rather than retry on top.
      const response = await fetch(`${url}/api/health`, {
        signal: AbortSignal.timeout(Math.max(1000, deadline - Date.now())),
      });
      await response.arrayBuffer();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`wrangler dev did not answer ${url}/api/health within ${timeoutMs} ms:\n${output()}`);
}

/** Publishes the committed model into `persistTo` unless that version is already current there. */
export async function seedLocalModel(
  persistTo: string,
  modelDir = DEFAULT_MODEL_DIR,
  log?: (line: string) => void,
): Promise<void> {
  const bucket = await openLocalBucket(persistTo);
  try {
    await publishExport(bucket, resolve(REPO_ROOT, modelDir), {
      ...(log ? { log } : {}),
      skipIfCurrent: true,
    });
  } finally {
    await bucket.dispose();
  }
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const ownsState = options.persistTo === undefined;
  const persistTo = options.persistTo ?? (await mkdtemp(join(tmpdir(), 'digit-edge-state-')));
  const port = options.port || (await findFreePort(HOST));
  const inspectorPort = options.inspectorPort || (await findFreePort(HOST));
  const url = `http://${HOST}:${port}`;
  if (!(await isPortFree(port, HOST))) {
    throw new Error(`port ${port} on ${HOST} is already in use (set another port, e.g. PORT=8788)`);
  }
  const cleanUp = async (): Promise<void> => {
    if (ownsState) await rm(persistTo, { recursive: true, force: true });
  };

  try {
    if (options.seed !== false) await seedLocalModel(persistTo, options.modelDir);
    // The corrections table (POST /api/feedback) in the same local state wrangler dev uses; other
    // configurations (the bench entry) have no D1 binding.
    if (options.config === undefined) await applyFeedbackMigrations({ mode: 'local', persistTo });
    // wrangler refuses to start when the assets folder is missing; the API does not need the site.
    await mkdir(join(REPO_ROOT, 'site/dist'), { recursive: true });
  } catch (error) {
    await cleanUp();
    throw error;
  }

  const vars = Object.entries(options.vars ?? {}).flatMap(([name, value]) => ['--var', `${name}:${value}`]);
  const child = spawn(
    'npx',
    [
      'wrangler',
      'dev',
      '--local',
      '--ip',
      HOST,
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persistTo,
      '--show-interactive-dev-session=false',
      ...(options.config === undefined ? [] : ['--config', options.config]),
      ...vars,
    ],
    // Its own process group, so stop() reaches workerd too.
    { cwd: REPO_ROOT, env: wranglerEnvironment(), stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let tail = '';
  const record = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
    options.onOutput?.(text);
  };
  child.stdout?.on('data', record);
  child.stderr?.on('data', record);
  // If this process ends without stop(), do not leave workerd behind.
  const killOnExit = (): void => signalGroup(child, 'SIGKILL');
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await stopChild(child);
    await cleanUp();
  };
  try {
    await waitUntilServing(url, child, () => tail, options.startTimeoutMs ?? 180_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const exitedPromise = exited(child)
    ? Promise.resolve()
    : new Promise<void>((done) => child.once('exit', () => done()));
  return { url, persistTo, output: () => tail, exited: exitedPromise, stop };
}
