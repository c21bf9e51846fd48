/** Writes a model export: model.json + weight shard (tfjs layers format), pictures and manifest.json. */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  type FileEntry,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  ModelManifestSchema,
  type Precision,
  parseJsonAs,
  SEGMENT_SCORE_KEYS,
  SHARD_FILE,
} from '../core/manifest.ts';
import { sha256Hex } from '../core/sha256.ts';
import type { WeightEntry } from '../core/weights.ts';
import { encodeWeights, type NamedWeight } from './encode-weights.ts';

export const CURVES_FILE = 'curves.svg';
export const CONFUSION_FILE = 'confusion.svg';

/** The model's topology and float32 weights, as tfjs would save them. */
export async function captureModel(model: tf.LayersModel, io: typeof tf.io) {
  let topology: unknown;
  let weights: NamedWeight[] = [];
  await model.save(
    io.withSaveHandler(async (artifacts) => {
      topology = artifacts.modelTopology;
      const data = new Float32Array(artifacts.weightData as ArrayBuffer);
      let offset = 0;
      weights = (artifacts.weightSpecs ?? []).map((spec) => {
        const count = spec.shape.reduce((a, b) => a * b, 1);
        const values = data.slice(offset, offset + count);
        offset += count;
        return { name: spec.name, shape: spec.shape, values };
      });
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return { topology, weights };
}

function modelJson(topology: unknown, entries: WeightEntry[]) {
  return {
    format: 'layers-model',
    generatedBy: 'TensorFlow.js tfjs-layers v4.22.0',
    convertedBy: 'digit-edge training/export.ts',
    modelTopology: topology,
    weightsManifest: [{ paths: [SHARD_FILE], weights: entries }],
  };
}

/**
 * Content-derived version: the same files give the same version, any change gives another. The number
 * reader's segment score lives in the manifest rather than in a file, so it counts too: a version is
 * immutable once published, and an export that gains or changes one must be publishable as a new version.
 */
export async function versionOf(manifest: Pick<ModelManifest, 'files' | 'segmentScorer'>): Promise<string> {
  const lines = [...manifest.files]
    .sort((a, b) => a.path.localeCompare(b.path))
    .map((file) => `${file.path} ${file.sha256}\n`);
  if (manifest.segmentScorer !== undefined) {
    // Its served fields in schema order, whatever order the manifest was read in.
    lines.push(
      `segmentScorer ${await sha256Hex(JSON.stringify(manifest.segmentScorer, SEGMENT_SCORE_KEYS))}\n`,
    );
  }
  return (await sha256Hex(lines.join(''))).slice(0, 16);
}

export interface ExportInput {
  readonly directory: string;
  readonly topology: unknown;
  readonly weights: readonly NamedWeight[];
  readonly precision: Precision;
  readonly pictures: Readonly<Record<string, string>>;
  readonly manifest: Omit<ModelManifest, 'version' | 'files' | 'precision' | 'format'>;
}

/** Writes every file into a fresh folder beside the target, then swaps it in: never a half-written export. */
export async function writeExport(input: ExportInput): Promise<ModelManifest> {
  const { entries, data } = encodeWeights(input.weights, input.precision);
  const contents: Record<string, Uint8Array | string> = {
    [MODEL_FILE]: `${JSON.stringify(modelJson(input.topology, entries))}\n`,
    [SHARD_FILE]: data,
    ...input.pictures,
  };
  const files: FileEntry[] = await Promise.all(
    Object.entries(contents).map(async ([path, content]) => ({
      path,
      bytes: typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength,
      sha256: await sha256Hex(content),
    })),
  );
  const manifest: ModelManifest = {
    format: 'digit-edge-model/1',
    version: await versionOf({ files, segmentScorer: input.manifest.segmentScorer }),
    precision: input.precision,
    ...input.manifest,
    files,
  };
  const staging = `${input.directory}.tmp-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const [path, content] of Object.entries(contents)) await writeFile(join(staging, path), content);
  await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  await rm(input.directory, { recursive: true, force: true });
  await rename(staging, input.directory);
  return manifest;
}

/**
 * Adds pictures and manifest fields to an existing export, in place: the file list and the version are
 * recomputed (a new picture or segment score makes a new version).
 */
export async function rewriteExport(
  directory: string,
  pictures: Readonly<Record<string, string>>,
  fields: Partial<ModelManifest>,
): Promise<ModelManifest> {
  const parsed = parseJsonAs(ModelManifestSchema, await readFile(join(directory, MANIFEST_FILE), 'utf8'));
  if (!parsed.ok) throw new Error(`${join(directory, MANIFEST_FILE)} ${parsed.problem}`);
  const old = parsed.value;
  const added: FileEntry[] = await Promise.all(
    Object.entries(pictures).map(async ([path, content]) => ({
      path,
      bytes: Buffer.byteLength(content),
      sha256: await sha256Hex(content),
    })),
  );
  const files = [...old.files.filter((f) => !(f.path in pictures)), ...added];
  const updated = { ...old, ...fields, files };
  const manifest: ModelManifest = { ...updated, version: await versionOf(updated) };
  for (const [path, content] of Object.entries(pictures)) await writeFile(join(directory, path), content);
  await writeFile(join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
