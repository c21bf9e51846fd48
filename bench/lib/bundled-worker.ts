/**
 * The Worker as `wrangler deploy` would upload it (built by `wrangler deploy --dry-run`), served by workerd
 * through Miniflare directly: no `wrangler dev` proxy, no request logging, no live reload. This is the closest
 * local stand-in for the deployed Worker; `npm start` (wrangler dev) adds its dev-server hops in front.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from './committed-model.ts';
import type { SeededState } from './local-state.ts';

export interface WorkerBundle {
  readonly directory: string;
  /** The entry module and the wasm module(s) beside it. */
  readonly files: readonly string[];
  /** What wrangler printed (its "Total Upload: … / gzip: …" line among it). */
  readonly wranglerOutput: string;
  remove(): Promise<void>;
}

export interface RunningWorker {
  readonly url: string;
  stop(): Promise<void>;
}

/** Runs a command in the repository root; rejects with its output unless it exits 0. */
export function runCommand(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const append = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', append);
    child.stderr.on('data', append);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}

export async function buildWorkerBundle(config?: string): Promise<WorkerBundle> {
  const directory = await mkdtemp(join(tmpdir(), 'digit-edge-bundle-'));
  const wranglerOutput = await runCommand('npx', [
    'wrangler',
    'deploy',
    '--dry-run',
    '--outdir',
    directory,
    ...(config === undefined ? [] : ['--config', config]),
  ]);
  const files = (await readdir(directory))
    .filter((name) => name.endsWith('.js') || name.endsWith('.wasm'))
    .sort();
  return { directory, files, wranglerOutput, remove: () => rm(directory, { recursive: true, force: true }) };
}

/** The slice of Miniflare's API used here (wrangler's own copy, so the same workerd as `wrangler dev`). */
interface MiniflareModule {
  Miniflare: new (options: unknown) => { ready: Promise<URL>; dispose(): Promise<void> };
  convertV4MiniflareOptions(options: unknown): unknown;
}

const wranglerRequire = createRequire(join(REPO_ROOT, 'node_modules/wrangler/package.json'));

/** `compatibility_date` and `[vars]` string values of the repository's wrangler.toml (kept in one place). */
async function wranglerSettings(): Promise<{ compatibilityDate: string; vars: Record<string, string> }> {
  const toml = await readFile(join(REPO_ROOT, 'wrangler.toml'), 'utf8');
  const compatibilityDate = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (compatibilityDate === undefined) throw new Error('wrangler.toml has no compatibility_date');
  const varsTable = /^\[vars\]\s*\n([\s\S]*?)(?:^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? '';
  const vars = Object.fromEntries(
    [...varsTable.matchAll(/^([A-Za-z_][\w]*)\s*=\s*"([^"]*)"/gm)].map((m) => [
      m[1] as string,
      m[2] as string,
    ]),
  );
  return { compatibilityDate, vars };
}

/** Starts a fresh workerd (a new isolate) serving the bundle with the seeded local R2 state. */
export async function startBundledWorker(bundle: WorkerBundle, state: SeededState): Promise<RunningWorker> {
  const { Miniflare, convertV4MiniflareOptions } = wranglerRequire('miniflare') as MiniflareModule;
  const { compatibilityDate, vars } = await wranglerSettings();
  const modules = bundle.files.map((name) => ({
    type: name.endsWith('.wasm') ? 'CompiledWasm' : 'ESModule',
    path: join(bundle.directory, name),
  }));
  const miniflare = new Miniflare(
    convertV4MiniflareOptions({
      modulesRoot: bundle.directory,
      // The entry module first.
      modules: [
        ...modules.filter((m) => m.type === 'ESModule'),
        ...modules.filter((m) => m.type !== 'ESModule'),
      ],
      compatibilityDate,
      r2Buckets: { MODELS: 'digit-edge-models' },
      // Miniflare appends the plugin's folder (r2) to this; wrangler's --persist-to adds v3 itself.
      resourcePersistencePath: join(state.path, 'v3'),
      // Benchmarks load the Worker from one address: rate limits off, as `RATE_LIMIT=off npm start`.
      bindings: { ...vars, RATE_LIMIT: 'off' },
      logRequests: false,
    }),
  );
  const url = await miniflare.ready;
  return { url: url.origin, stop: () => miniflare.dispose() };
}
