/**
 * `npm run feedback:export -- [--local | --remote] [--persist-to DIR] --out DIR`: every correction in the
 * D1 database as an MNIST IDX pair plus summary.json, for `npm run train -- --extra DIR`.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type DatabaseTarget, FeedbackDatabaseError } from './lib/feedback-database.ts';
import { exportCorrections } from './lib/feedback-export.ts';

const USAGE = `Usage: npm run feedback:export -- [--local | --remote] [--persist-to DIR] --out DIR
  --local            the local D1 state (default; .wrangler/state, or --persist-to DIR)
  --remote           the Cloudflare D1 database named in wrangler.toml (wrangler must be logged in)
  --out DIR          where to write corrections-images-idx3-ubyte, corrections-labels-idx1-ubyte, summary.json`;

class UsageError extends Error {}

function parse(argv: readonly string[]): { target: DatabaseTarget; out: string } | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    options: {
      local: { type: 'boolean' },
      remote: { type: 'boolean' },
      'persist-to': { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.local && values.remote) throw new UsageError('choose either --local or --remote');
  if (values.remote && values['persist-to'] !== undefined)
    throw new UsageError('--persist-to is for the local database only');
  if (values.out === undefined || values.out === '') throw new UsageError('--out DIR is required');
  const target: DatabaseTarget = values.remote
    ? { mode: 'remote' }
    : { mode: 'local', ...(values['persist-to'] ? { persistTo: resolve(values['persist-to']) } : {}) };
  return { target, out: resolve(values.out) };
}

try {
  const parsed = parse(process.argv.slice(2));
  if (parsed === 'help') {
    console.log(USAGE);
  } else {
    const summary = await exportCorrections(parsed.target, parsed.out);
    console.log(
      `Exported ${summary.count} corrections (${summary.saidRight} said right) from the ${summary.database} database to ${parsed.out}.`,
    );
  }
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`feedback:export: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (error instanceof FeedbackDatabaseError) {
    console.error(`feedback:export: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
