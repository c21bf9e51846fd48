/**
 * Corrections read from D1 → the files `npm run train -- --extra DIR` reads: an MNIST IDX pair (images,
 * labels) and summary.json. Pure apart from `exportCorrections`, which reads through wrangler and writes.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  EXTRA_IMAGES_FILE,
  EXTRA_LABELS_FILE,
  EXTRA_SUMMARY_FILE,
  toIdxPair,
} from '../../core/corrections.ts';
import { CLASS_COUNT, PIXEL_COUNT } from '../../core/model-spec.ts';
import { type DatabaseTarget, FeedbackDatabaseError, queryFeedback } from './feedback-database.ts';

/** One row as `SELECT … hex(pixels) AS pixels` gives it. */
export interface ExportRow {
  readonly id: string;
  readonly created_at: string;
  readonly model_version: string;
  readonly label: number;
  readonly predicted: number;
  /** 1,568 hex digits: the 784 stored bytes. */
  readonly pixels: string;
  readonly source: string;
}

export interface ExportSummary {
  readonly exportedAt: string;
  readonly database: string;
  readonly count: number;
  /** Answers whose label equals the prediction (the person said "right"). */
  readonly saidRight: number;
  readonly perLabel: number[];
  readonly perVersion: Record<string, number>;
  readonly perSource: Record<string, number>;
  readonly firstAt: string | null;
  readonly lastAt: string | null;
  readonly files: Record<string, { bytes: number; sha256: string }>;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const countBy = (rows: readonly ExportRow[], key: (row: ExportRow) => string): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const row of rows) counts[key(row)] = (counts[key(row)] ?? 0) + 1;
  return counts;
};

/** The IDX pair and summary of `rows`, in the order given. */
export function buildExport(
  rows: readonly ExportRow[],
  context: { exportedAt: string; database: string },
): { files: Record<string, Uint8Array>; summary: ExportSummary } {
  const images = new Uint8Array(rows.length * PIXEL_COUNT);
  const labels = new Uint8Array(rows.length);
  rows.forEach((row, index) => {
    if (!/^[0-9A-Fa-f]*$/.test(row.pixels) || row.pixels.length !== PIXEL_COUNT * 2) {
      throw new FeedbackDatabaseError(
        `correction ${row.id} has ${row.pixels.length / 2} pixel bytes, want ${PIXEL_COUNT}`,
      );
    }
    if (!Number.isInteger(row.label) || row.label < 0 || row.label >= CLASS_COUNT)
      throw new FeedbackDatabaseError(`correction ${row.id} has label ${row.label}`);
    images.set(Buffer.from(row.pixels, 'hex'), index * PIXEL_COUNT);
    labels[index] = row.label;
  });
  const pair = toIdxPair(images, labels);
  const files = { [EXTRA_IMAGES_FILE]: pair.images, [EXTRA_LABELS_FILE]: pair.labels };
  const perLabel = new Array<number>(CLASS_COUNT).fill(0);
  for (const label of labels) perLabel[label] = (perLabel[label] ?? 0) + 1;
  const times = rows.map((row) => row.created_at).sort();
  return {
    files,
    summary: {
      exportedAt: context.exportedAt,
      database: context.database,
      count: rows.length,
      saidRight: rows.filter((row) => row.label === row.predicted).length,
      perLabel,
      perVersion: countBy(rows, (row) => row.model_version),
      perSource: countBy(rows, (row) => row.source),
      firstAt: times[0] ?? null,
      lastAt: times.at(-1) ?? null,
      files: Object.fromEntries(
        Object.entries(files).map(([name, bytes]) => [
          name,
          { bytes: bytes.byteLength, sha256: sha256(bytes) },
        ]),
      ),
    },
  };
}

/** Rows per wrangler call: a page of JSON stays around 1 MB. */
const PAGE_ROWS = 500;

/** Every stored correction ordered by id (stable across runs), read page by page. */
async function readAllCorrections(target: DatabaseTarget): Promise<ExportRow[]> {
  const rows: ExportRow[] = [];
  let after = '';
  for (;;) {
    // Ids are 64 hex digits (checked by the table), so inlining the last one is safe.
    const page = await queryFeedback<ExportRow>(
      target,
      `SELECT id, created_at, model_version, label, predicted, hex(pixels) AS pixels, source FROM corrections ` +
        `WHERE id > '${after.replace(/[^0-9a-f]/g, '')}' ORDER BY id LIMIT ${PAGE_ROWS}`,
    );
    rows.push(...page);
    if (page.length < PAGE_ROWS) return rows;
    after = (page.at(-1) as ExportRow).id;
  }
}

/** Reads every correction from `target` and writes the IDX pair and summary.json into `outDir`. */
export async function exportCorrections(target: DatabaseTarget, outDir: string): Promise<ExportSummary> {
  const rows = await readAllCorrections(target);
  const database =
    target.mode === 'remote' ? 'remote' : `local${target.persistTo ? ` (${target.persistTo})` : ''}`;
  const { files, summary } = buildExport(rows, { exportedAt: new Date().toISOString(), database });
  await mkdir(outDir, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(outDir, name), bytes);
  await writeFile(join(outDir, EXTRA_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
