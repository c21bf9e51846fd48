/**
 * Operator logs: one JSON object per line and per event, so Workers Logs (observability) can filter on
 * `event` and its fields. The public API never carries this detail; it answers with stable codes.
 */

export type LogLevel = 'info' | 'warn' | 'error';

/** Writes `{ level, event, ...fields, at }` as one line; errors become their name and message. */
export function logEvent(level: LogLevel, event: string, fields: Record<string, unknown> = {}): void {
  const line: Record<string, unknown> = { level, event };
  for (const [name, value] of Object.entries(fields)) {
    line[name] = value instanceof Error ? `${value.name}: ${value.message}` : value;
  }
  // While workerd loads the script the clock reads 0 (1970): the log platform's own time says more.
  const now = Date.now();
  if (now > 0) line.at = new Date(now).toISOString();
  const text = JSON.stringify(line);
  if (level === 'error') console.error(text);
  else if (level === 'warn') console.warn(text);
  else console.log(text);
}
