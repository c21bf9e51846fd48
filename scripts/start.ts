/**
 * `npm start`: serves the site and the API on http://127.0.0.1:8787 (PORT overrides) from workerd, with the
 * committed model published into the local R2 state (.wrangler/state, what plain `wrangler dev` uses too)
 * unless that version is already current there, the D1 migrations applied (startLocalServer does it), and
 * the site built first when it has not been.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MODEL_DIR } from '../core/manifest.ts';
import { REPO_ROOT } from './lib/wrangler-cli.ts';
import { seedLocalModel, startLocalServer } from './local-server.ts';

const DEFAULT_PORT = 8787;
const STATE_DIR = join(REPO_ROOT, '.wrangler/state');

function portFromEnvironment(): number {
  const raw = process.env.PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new Error(`PORT must be 1..65535, got ${raw}`);
  return port;
}

/** `RATE_LIMIT=off npm start` switches the Worker's rate limits off (load tests); default: production limits. */
function rateLimitFromEnvironment(): Record<string, string> {
  const raw = process.env.RATE_LIMIT;
  if (raw === undefined || raw === '' || raw === 'on') return {};
  if (raw === 'off') return { RATE_LIMIT: 'off' };
  throw new Error(`RATE_LIMIT must be "off" or "on", got ${raw}`);
}

async function main(): Promise<void> {
  const port = portFromEnvironment();
  const vars = rateLimitFromEnvironment();
  console.log('Checking the model in the local R2 bucket...');
  await seedLocalModel(STATE_DIR, undefined, (line) => console.log(`  ${line}`));

  // The /model page is built from the committed manifest: a newer model needs a new build.
  const page = join(REPO_ROOT, 'site/dist/index.html');
  const manifest = join(REPO_ROOT, DEFAULT_MODEL_DIR, 'manifest.json');
  if (!existsSync(page) || statSync(page).mtimeMs < statSync(manifest).mtimeMs) {
    console.log('Building the site (npm run build)...');
    const build = spawnSync('npm', ['run', 'build'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (build.status !== 0) throw new Error('the site build failed (see above)');
  }

  console.log('Starting the Worker in workerd (wrangler dev --local)...');
  const server = await startLocalServer({
    port,
    persistTo: STATE_DIR,
    seed: false,
    vars,
    onOutput: (text) => process.stdout.write(text),
  });
  console.log(
    `\nDigit Edge is running at ${server.url}/ (API: ${server.url}/api/health; rate limits ${vars.RATE_LIMIT === 'off' ? 'OFF' : 'on'}). Press Ctrl+C to stop.\n`,
  );

  let stopping = false;
  const shutDown = (): void => {
    if (stopping) return;
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  server.exited.then(() => {
    if (stopping) return;
    console.error('npm start: wrangler dev stopped unexpectedly (see its output above)');
    process.exit(1);
  });
  process.on('SIGINT', shutDown);
  process.on('SIGTERM', shutDown);
}

main().catch((error: unknown) => {
  console.error(`npm start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
