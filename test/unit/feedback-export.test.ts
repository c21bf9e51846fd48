/**
 * The corrections' way from D1 rows to training: rows → IDX files → the trainer's IDX reader, byte for
 * byte; the seeded hold-out split; mixing into the MNIST training subset; the train options.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  correctionId,
  EXTRA_IMAGES_FILE,
  EXTRA_LABELS_FILE,
  pixelsToBytes,
  toIdxPair,
} from '../../core/corrections.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { buildExport, type ExportRow } from '../../scripts/lib/feedback-export.ts';
import { loadExtraData, mixExtra, splitExtra } from '../../training/extra-data.ts';
import { IdxFormatError, type LabelledImages } from '../../training/idx.ts';
import { OptionsError, parseTrainOptions } from '../../training/options.ts';
import { createRandom } from '../../training/random.ts';
import { generateCorrections } from '../fixtures/corrections.ts';

const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();

/** Rows as `wrangler d1 execute --json` returns them for the export's SELECT. */
async function rowsFor(count: number, seed: number): Promise<{ rows: ExportRow[]; bytes: Uint8Array[] }> {
  const random = createRandom(seed);
  const corrections = generateCorrections(count, seed);
  const bytes = corrections.map((correction) => pixelsToBytes(correction.pixels));
  const rows = await Promise.all(
    corrections.map(async (correction, i) => ({
      id: await correctionId(bytes[i] as Uint8Array, correction.label),
      created_at: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
      model_version: i % 3 === 0 ? 'aaaa' : 'bbbb',
      label: correction.label,
      predicted: random() < 0.5 ? correction.label : (correction.label + 1) % 10,
      pixels: toHex(bytes[i] as Uint8Array),
      source: i % 4 === 0 ? 'api' : 'pad',
    })),
  );
  return { rows, bytes };
}

describe('feedback export', () => {
  it('ids a correction by the sha256 of its 784 bytes then its label byte', async () => {
    const bytes = pixelsToBytes(generateCorrections(1, 3)[0]?.pixels ?? []);
    const expected = createHash('sha256').update(bytes).update(Uint8Array.of(4)).digest('hex');
    expect(await correctionId(bytes, 4)).toBe(expected);
    expect(await correctionId(bytes, 5)).not.toBe(expected);
  });

  it('writes rows as an IDX pair the trainer reads back byte for byte', async () => {
    const { rows, bytes } = await rowsFor(37, 5);
    const { files, summary } = buildExport(rows, {
      exportedAt: '2026-11-25T00:00:00.000Z',
      database: 'local',
    });
    const directory = await mkdtemp(join(tmpdir(), 'digit-edge-export-'));
    try {
      for (const [name, content] of Object.entries(files)) await writeFile(join(directory, name), content);
      const read = await loadExtraData(directory);
      expect(read.count).toBe(rows.length);
      rows.forEach((row, i) => {
        expect(new Uint8Array(read.images.subarray(i * PIXEL_COUNT, (i + 1) * PIXEL_COUNT))).toEqual(
          bytes[i],
        );
        expect(read.labels[i]).toBe(row.label);
      });
      // The files on disk are exactly what was built (header + data, nothing else).
      expect(new Uint8Array(await readFile(join(directory, EXTRA_IMAGES_FILE)))).toEqual(
        files[EXTRA_IMAGES_FILE],
      );
      expect((files[EXTRA_IMAGES_FILE] as Uint8Array).byteLength).toBe(16 + rows.length * PIXEL_COUNT);
      expect((files[EXTRA_LABELS_FILE] as Uint8Array).byteLength).toBe(8 + rows.length);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
    expect(summary.count).toBe(37);
    expect(summary.perLabel.reduce((a, b) => a + b, 0)).toBe(37);
    expect(summary.perLabel[0]).toBe(4);
    expect(summary.saidRight).toBe(rows.filter((row) => row.label === row.predicted).length);
    expect(summary.perVersion).toEqual({ aaaa: 13, bbbb: 24 });
    expect(summary.perSource).toEqual({ api: 10, pad: 27 });
    expect(summary.firstAt).toBe(rows[0]?.created_at);
    expect(summary.lastAt).toBe(rows.at(-1)?.created_at);
    expect(summary.files[EXTRA_IMAGES_FILE]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exports an empty database as valid empty IDX files', () => {
    const { files, summary } = buildExport([], { exportedAt: 'now', database: 'local' });
    expect(summary).toMatchObject({ count: 0, saidRight: 0, firstAt: null, lastAt: null });
    expect((files[EXTRA_LABELS_FILE] as Uint8Array).byteLength).toBe(8);
  });

  it('refuses a row whose blob is not 784 bytes or whose label is not a digit', async () => {
    const { rows } = await rowsFor(2, 9);
    const row = rows[0] as ExportRow;
    expect(() =>
      buildExport([{ ...row, pixels: row.pixels.slice(2) }], { exportedAt: '', database: '' }),
    ).toThrow(/783 pixel bytes/);
    expect(() => buildExport([{ ...row, label: 12 }], { exportedAt: '', database: '' })).toThrow(/label 12/);
  });

  it('keeps IDX headers the trainer checks: a labels file of another length is refused', async () => {
    const pair = toIdxPair(new Uint8Array(2 * PIXEL_COUNT), Uint8Array.of(1, 2));
    const directory = await mkdtemp(join(tmpdir(), 'digit-edge-export-'));
    try {
      await writeFile(join(directory, EXTRA_IMAGES_FILE), pair.images);
      await writeFile(
        join(directory, EXTRA_LABELS_FILE),
        toIdxPair(new Uint8Array(PIXEL_COUNT), Uint8Array.of(1)).labels,
      );
      await expect(loadExtraData(directory)).rejects.toThrow(IdxFormatError);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('--extra training data', () => {
  const set = (count: number): LabelledImages => ({
    images: Uint8Array.from({ length: count * PIXEL_COUNT }, (_, i) => (i * 31) % 256),
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count,
    rows: 28,
    cols: 28,
  });

  it('holds out a seeded share, the same for the same seed, disjoint from the trained part', () => {
    const first = splitExtra(set(50), 0.2, 42);
    expect(first.holdOut.length).toBe(10);
    expect(first.train.length).toBe(40);
    expect(new Set([...first.holdOut, ...first.train]).size).toBe(50);
    expect(splitExtra(set(50), 0.2, 42)).toEqual(first);
    expect(splitExtra(set(50), 0.2, 43).holdOut).not.toEqual(first.holdOut);
    // Too few to measure anything: all are trained on.
    expect(splitExtra(set(4), 0.2, 42).holdOut.length).toBe(0);
  });

  it('appends the trained corrections `weight` times after the MNIST digits', () => {
    const mnist = set(30);
    const extra = set(6);
    const mixed = mixExtra(
      { source: mnist, indices: Uint32Array.of(0, 1, 2, 3) },
      extra,
      Uint32Array.of(1, 4),
      3,
    );
    expect(Array.from(mixed.indices)).toEqual([0, 1, 2, 3, 31, 34, 31, 34, 31, 34]);
    expect(mixed.source.count).toBe(36);
    expect(mixed.source.images.subarray(34 * PIXEL_COUNT, 35 * PIXEL_COUNT)).toEqual(
      extra.images.subarray(4 * PIXEL_COUNT, 5 * PIXEL_COUNT),
    );
    expect(mixed.source.labels[34]).toBe(extra.labels[4]);
    expect(mixed.source.images.subarray(0, 30 * PIXEL_COUNT)).toEqual(mnist.images);
  });

  it('reads --extra, --extra-weight and --extra-holdout', () => {
    expect(parseTrainOptions([])).toMatchObject({ extra: undefined, extraWeight: 5, extraHoldOut: 0.2 });
    expect(
      parseTrainOptions(['--extra', 'feedback/export', '--extra-weight', '8', '--extra-holdout', '0.3']),
    ).toMatchObject({ extra: 'feedback/export', extraWeight: 8, extraHoldOut: 0.3 });
    expect(() => parseTrainOptions(['--extra-holdout', '1'])).toThrow(OptionsError);
    expect(() => parseTrainOptions(['--extra-weight', '0'])).toThrow(OptionsError);
  });
});
