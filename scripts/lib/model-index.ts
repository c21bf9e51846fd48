/**
 * `models/index.json`: a list of published versions with what `weights:list` shows. wrangler has no
 * `r2 object list`, so publishing keeps this index; it is metadata only, rewritten on every publish,
 * while the versions themselves are never overwritten. All functions here are pure.
 */
import type { CurrentPointer, ModelManifest, Precision } from '../../core/manifest.ts';
import { CURRENT_POINTER_KEY, CurrentPointerSchema, parseJsonAs, R2_PREFIX } from '../../core/manifest.ts';
import { WeightsError } from './errors.ts';

export const MODEL_INDEX_KEY = `${R2_PREFIX}index.json`;

export interface PublishedVersion {
  readonly version: string;
  /** When this version was first published. */
  readonly publishedAt: string;
  /** When training exported it. */
  readonly createdAt: string;
  readonly precision: Precision;
  readonly parameters: number;
  /** Bytes of all files the manifest lists (model.json, shards, pictures). */
  readonly bytes: number;
  /** Test accuracy (0..1) per precision evaluated. */
  readonly accuracy: Partial<Record<Precision, number>>;
}

export interface ModelIndex {
  readonly format: 'digit-edge-index/1';
  /** Oldest first. */
  readonly versions: readonly PublishedVersion[];
}

export const EMPTY_INDEX: ModelIndex = { format: 'digit-edge-index/1', versions: [] };

/** What the index records about a manifest published at `publishedAt`. */
export function summariseVersion(manifest: ModelManifest, publishedAt: string): PublishedVersion {
  const accuracy: Partial<Record<Precision, number>> = {};
  for (const [precision, metrics] of Object.entries(manifest.test ?? {})) {
    if (typeof metrics?.accuracy === 'number') accuracy[precision as Precision] = metrics.accuracy;
  }
  return {
    version: manifest.version,
    publishedAt,
    createdAt: manifest.createdAt,
    precision: manifest.precision,
    parameters: manifest.parameters,
    bytes: manifest.files.reduce((total, file) => total + file.bytes, 0),
    accuracy,
  };
}

/** Adds a version; a version already listed keeps its first publication date (publishing is idempotent). */
export function withVersion(index: ModelIndex, entry: PublishedVersion): ModelIndex {
  if (index.versions.some((known) => known.version === entry.version)) return index;
  return { ...index, versions: [...index.versions, entry] };
}

export function parseIndex(bytes: Uint8Array | undefined): ModelIndex {
  if (bytes === undefined) return EMPTY_INDEX;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new WeightsError(`${MODEL_INDEX_KEY} in the bucket is not valid JSON`);
  }
  const index = json as Partial<ModelIndex> | null;
  if (index?.format !== 'digit-edge-index/1' || !Array.isArray(index.versions)) {
    throw new WeightsError(`${MODEL_INDEX_KEY} in the bucket is not a digit-edge-index/1 document`);
  }
  return index as ModelIndex;
}

export function parsePointer(bytes: Uint8Array | undefined): CurrentPointer | undefined {
  if (bytes === undefined) return undefined;
  const parsed = parseJsonAs(CurrentPointerSchema, new TextDecoder().decode(bytes));
  if (!parsed.ok) throw new WeightsError(`${CURRENT_POINTER_KEY} in the bucket ${parsed.problem}`);
  return parsed.value;
}

export const encodeJson = (value: unknown): Uint8Array =>
  new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

const percent = (value: number | undefined): string =>
  value === undefined ? '-' : `${(value * 100).toFixed(2)}%`;

const kibibytes = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;

/** The `weights:list` table: one row per version, newest first, the current one marked with `*`. */
export function formatVersionTable(index: ModelIndex, current: string | undefined): string {
  if (index.versions.length === 0) return 'No model versions are published in this bucket.';
  const header = ['', 'version', 'published', 'precision', 'float32', 'float16', 'uint8', 'size'];
  const rows = [...index.versions]
    .reverse()
    .map((entry) => [
      entry.version === current ? '*' : '',
      entry.version,
      entry.publishedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      entry.precision,
      percent(entry.accuracy.float32),
      percent(entry.accuracy.float16),
      percent(entry.accuracy.uint8),
      kibibytes(entry.bytes),
    ]);
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const lines = table.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const note = current === undefined ? 'No version is current.' : '* = current (models/current.json)';
  return [...lines, '', note].join('\n');
}
