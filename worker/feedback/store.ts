/**
 * Corrections in D1: one idempotent insert, and the per-version statistics computed by SQL (grouping and
 * ranking in the database, so the Worker never reads the stored images to count them).
 */
import type { CorrectionSource } from '../../core/corrections.ts';
import type { VersionFeedback } from '../schemas.ts';

export interface NewCorrection {
  readonly id: string;
  readonly createdAt: string;
  readonly modelVersion: string;
  readonly label: number;
  readonly predicted: number;
  readonly pixels: Uint8Array;
  readonly source: CorrectionSource;
}

/** Stores a correction unless one with the same id (image + label) exists; true when it was new. */
export async function insertCorrection(db: D1Database, correction: NewCorrection): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO corrections (id, created_at, model_version, label, predicted, pixels, source)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (id) DO NOTHING`,
    )
    .bind(
      correction.id,
      correction.createdAt,
      correction.modelVersion,
      correction.label,
      correction.predicted,
      correction.pixels,
      correction.source,
    )
    .run();
  return result.meta.changes > 0;
}

/** How many versions the statistics list (most recently answered first) and pairs per version. */
const STATS_VERSION_LIMIT = 20;
const CONFUSED_PAIR_LIMIT = 3;

/**
 * Per model version: answers received, how many said "right", and the most confused (label, predicted)
 * pairs. `version` restricts it to one version.
 */
export async function feedbackByVersion(db: D1Database, version?: string): Promise<VersionFeedback[]> {
  const only = version === undefined ? '' : 'WHERE model_version = ?1';
  const bind = (statement: D1PreparedStatement) =>
    version === undefined ? statement : statement.bind(version);
  const [totals, pairs] = await db.batch([
    bind(
      db.prepare(
        `SELECT model_version AS version, COUNT(*) AS received, SUM(label = predicted) AS saidRight,
                MAX(created_at) AS lastAt
         FROM corrections ${only}
         GROUP BY model_version ORDER BY lastAt DESC, version LIMIT ${STATS_VERSION_LIMIT}`,
      ),
    ),
    bind(
      db.prepare(
        `SELECT version, label, predicted, count FROM (
           SELECT model_version AS version, label, predicted, COUNT(*) AS count,
                  ROW_NUMBER() OVER (PARTITION BY model_version ORDER BY COUNT(*) DESC, label, predicted) AS rank
           FROM corrections ${only === '' ? 'WHERE' : `${only} AND`} label <> predicted
           GROUP BY model_version, label, predicted)
         WHERE rank <= ${CONFUSED_PAIR_LIMIT} ORDER BY version, rank`,
      ),
    ),
  ]);
  const pairsByVersion = new Map<string, VersionFeedback['confusedPairs']>();
  for (const row of (pairs?.results ?? []) as {
    version: string;
    label: number;
    predicted: number;
    count: number;
  }[]) {
    const list = pairsByVersion.get(row.version) ?? [];
    list.push({ label: row.label, predicted: row.predicted, count: row.count });
    pairsByVersion.set(row.version, list);
  }
  return (
    (totals?.results ?? []) as { version: string; received: number; saidRight: number; lastAt: string }[]
  ).map((row) => ({
    version: row.version,
    received: row.received,
    saidRight: row.saidRight,
    shareRight: row.received > 0 ? row.saidRight / row.received : null,
    confusedPairs: pairsByVersion.get(row.version) ?? [],
    lastAt: row.lastAt,
  }));
}

/** The statistics of one version, zeros when nobody has answered about it yet. */
export async function feedbackForVersion(db: D1Database, version: string): Promise<VersionFeedback> {
  const [found] = await feedbackByVersion(db, version);
  return found ?? { version, received: 0, saidRight: 0, shareRight: null, confusedPairs: [], lastAt: null };
}
