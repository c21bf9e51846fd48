/**
 * The model page's self-reported figures: GET /api/feedback/stats turned into what the page shows, with
 * an honest state for every way it can go (loading, switched off, failed, nobody answered yet).
 */

interface LiveVersionRow {
  readonly version: string;
  readonly received: string;
  readonly shareRight: string;
  readonly confused: string;
  readonly current: boolean;
}

export type LiveFeedbackView =
  | { readonly state: 'off' | 'failed' | 'empty'; readonly message: string }
  | { readonly state: 'ready'; readonly rows: readonly LiveVersionRow[] };

interface StatsBody {
  versions: {
    version: string;
    received: number;
    saidRight: number;
    shareRight: number | null;
    confusedPairs: { label: number; predicted: number; count: number }[];
  }[];
}

const isStats = (body: unknown): body is StatsBody =>
  typeof body === 'object' &&
  body !== null &&
  Array.isArray((body as { versions?: unknown }).versions) &&
  (body as StatsBody).versions.every(
    (entry) =>
      typeof entry?.version === 'string' &&
      Number.isInteger(entry.received) &&
      Array.isArray(entry.confusedPairs),
  );

/** `status` is the HTTP status (0 when the request failed), `body` the parsed JSON (or null). */
export function liveFeedbackView(
  status: number,
  body: unknown,
  currentVersion: string | null,
): LiveFeedbackView {
  if (status === 404) return { state: 'off', message: 'Feedback is switched off on this deployment.' };
  if (status !== 200 || !isStats(body))
    return {
      state: 'failed',
      message: 'The live figures could not be loaded just now; the test figures above stand.',
    };
  if (body.versions.length === 0)
    return {
      state: 'empty',
      message: 'Nobody has answered “Right?” on the pad yet. Draw a digit and tell the model.',
    };
  return {
    state: 'ready',
    rows: body.versions.map((entry) => ({
      version: entry.version,
      received: entry.received.toLocaleString('en-US'),
      shareRight:
        entry.shareRight === null
          ? '—'
          : `${(entry.shareRight * 100).toFixed(1)}% (${entry.saidRight} of ${entry.received})`,
      confused:
        entry.confusedPairs.length === 0
          ? '—'
          : entry.confusedPairs
              .map((pair) => `${pair.label} read as ${pair.predicted} (${pair.count})`)
              .join(', '),
      current: entry.version === currentVersion,
    })),
  };
}

/** Fills the `[data-live-feedback]` section from the API; any failure ends in the 'failed' message. */
export async function showLiveFeedback(root: HTMLElement, currentVersion: string | null): Promise<void> {
  let status = 0;
  let body: unknown = null;
  try {
    const response = await fetch('/api/feedback/stats', { headers: { accept: 'application/json' } });
    status = response.status;
    body = await response.json().catch(() => null);
  } catch {
    status = 0;
  }
  const view = liveFeedbackView(status, body, currentVersion);
  root.dataset.liveState = view.state;
  const message = root.querySelector<HTMLElement>('[data-live-message]');
  const table = root.querySelector<HTMLTableElement>('[data-live-table]');
  const tbody = table?.tBodies[0];
  if (message === null || table === null || tbody === undefined) return;
  if (view.state !== 'ready') {
    message.textContent = view.message;
    table.hidden = true;
    return;
  }
  message.textContent = '';
  tbody.replaceChildren(
    ...view.rows.map((row) => {
      const tr = document.createElement('tr');
      if (row.current) tr.className = 'current';
      const cells = [row.version, row.received, row.shareRight, row.confused];
      cells.forEach((text, index) => {
        const cell = document.createElement(index === 0 ? 'th' : 'td');
        if (index === 0) cell.setAttribute('scope', 'row');
        cell.textContent = text;
        if (index === 1 || index === 2) cell.className = 'num';
        tr.append(cell);
      });
      return tr;
    }),
  );
  table.hidden = false;
}
