/**
 * The corrections database (D1 binding FEEDBACK_DB) through wrangler's own D1 commands, so the same code
 * reaches the local state (`--local`, optionally `--persist-to`) and Cloudflare (`--remote`).
 */
import { runWrangler, wranglerFailureReason } from './wrangler-cli.ts';

/** `database_name` of the D1 binding in wrangler.toml. */
const FEEDBACK_DATABASE = 'digit-edge-feedback';

export type DatabaseTarget =
  | { readonly mode: 'local'; readonly persistTo?: string }
  | { readonly mode: 'remote' };

export class FeedbackDatabaseError extends Error {
  override readonly name = 'FeedbackDatabaseError';
}

const targetArguments = (target: DatabaseTarget): string[] =>
  target.mode === 'remote'
    ? ['--remote']
    : ['--local', ...(target.persistTo === undefined ? [] : ['--persist-to', target.persistTo])];

/** Applies every migration in migrations/ not applied yet (what `npm start` and the tests' servers do). */
export async function applyFeedbackMigrations(target: DatabaseTarget, config?: string): Promise<void> {
  const result = await runWrangler([
    'd1',
    'migrations',
    'apply',
    FEEDBACK_DATABASE,
    ...targetArguments(target),
    ...(config === undefined ? [] : ['--config', config]),
  ]);
  if (result.code !== 0) {
    throw new FeedbackDatabaseError(`applying the D1 migrations failed: ${wranglerFailureReason(result)}`);
  }
}

/** Rows of one SQL statement (`wrangler d1 execute --json`). */
export async function queryFeedback<Row>(target: DatabaseTarget, sql: string): Promise<Row[]> {
  const result = await runWrangler([
    'd1',
    'execute',
    FEEDBACK_DATABASE,
    ...targetArguments(target),
    '--json',
    '--command',
    sql,
  ]);
  if (result.code !== 0) throw new FeedbackDatabaseError(`D1 query failed: ${wranglerFailureReason(result)}`);
  const answers = JSON.parse(result.stdout.toString('utf8')) as { results: Row[]; success: boolean }[];
  const answer = answers[0];
  if (answer === undefined || !answer.success)
    throw new FeedbackDatabaseError('D1 query answered no results');
  return answer.results;
}
