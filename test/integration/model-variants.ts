/**
 * Distinct model versions made cheaply from the committed export for the weights-workflow tests: a valid
 * variant with slightly perturbed weights, one whose model.json declares a wrong weight shape (consistent
 * manifest, so only the Worker's architecture check can refuse it), and exports whose files no longer
 * match their manifest (a flipped byte, a missing shard), as a broken upload would leave them.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileEntry, ModelManifest } from '../../core/manifest.ts';
import { MANIFEST_FILE, MODEL_FILE } from '../../core/manifest.ts';
import { sha256Hex } from '../../core/sha256.ts';
import type { WeightsGroup } from '../../core/weights.ts';
import { decodeWeights } from '../../core/weights.ts';
import { versionOf } from '../../training/export.ts';

interface ModelJson {
  weightsManifest: WeightsGroup[];
  [key: string]: unknown;
}

const readJson = async <T>(path: string): Promise<T> => JSON.parse(await readFile(path, 'utf8')) as T;

async function shardPathOf(dir: string): Promise<string> {
  const model = await readJson<ModelJson>(join(dir, MODEL_FILE));
  const [path] = model.weightsManifest[0]?.paths ?? [];
  if (path === undefined) throw new Error(`${dir}/${MODEL_FILE} names no shard`);
  return path;
}

/** Recomputes sizes, hashes and the content version of `dir`'s files and rewrites its manifest. */
async function rewriteManifest(dir: string): Promise<ModelManifest> {
  const manifest = await readJson<ModelManifest>(join(dir, MANIFEST_FILE));
  const files: FileEntry[] = [];
  for (const entry of manifest.files) {
    const bytes = await readFile(join(dir, entry.path));
    files.push({ path: entry.path, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) });
  }
  const updated: ModelManifest = { ...manifest, files, version: await versionOf({ ...manifest, files }) };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(updated, null, 2)}\n`);
  return updated;
}

async function copyExport(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}

/**
 * A still valid model: the lowest bit of one weight byte flipped (byte `4 × seed`, the least significant byte
 * of a float32 or float16 value, or one uint8 step), so predictions barely move but the version changes.
 */
export async function writePerturbedExport(from: string, to: string, seed: number): Promise<ModelManifest> {
  await copyExport(from, to);
  const shardPath = join(to, await shardPathOf(to));
  const shard = new Uint8Array(await readFile(shardPath));
  const index = 4 * seed;
  shard[index] = (shard[index] ?? 0) ^ 0x01;
  const model = await readJson<ModelJson>(join(to, MODEL_FILE));
  for (const values of decodeWeights(model.weightsManifest, shard).values()) {
    if (!values.every(Number.isFinite)) throw new Error('the perturbed weights are not finite');
  }
  await writeFile(shardPath, shard);
  return rewriteManifest(to);
}

/** conv1/kernel declared [3, 3, 64, 1] instead of [3, 3, 1, 64]: same byte count, wrong architecture. */
export async function writeWrongShapeExport(from: string, to: string): Promise<ModelManifest> {
  await copyExport(from, to);
  const model = await readJson<ModelJson>(join(to, MODEL_FILE));
  model.weightsManifest = model.weightsManifest.map((group) => ({
    ...group,
    weights: group.weights.map((entry) =>
      entry.name === 'conv1/kernel' ? { ...entry, shape: [3, 3, 64, 1] } : entry,
    ),
  }));
  await writeFile(join(to, MODEL_FILE), `${JSON.stringify(model)}\n`);
  return rewriteManifest(to);
}

/** A fresh valid version (perturbed with `seed`) whose shard then has one byte flipped after hashing. */
export async function writeFlippedByteExport(from: string, to: string, seed: number): Promise<ModelManifest> {
  const manifest = await writePerturbedExport(from, to, seed);
  const shardPath = join(to, await shardPathOf(to));
  const shard = new Uint8Array(await readFile(shardPath));
  const middle = Math.floor(shard.byteLength / 2);
  shard[middle] = (shard[middle] ?? 0) ^ 0xff;
  await writeFile(shardPath, shard);
  return manifest;
}

/** A fresh valid version (perturbed with `seed`) whose weight shard is then deleted. */
export async function writeMissingShardExport(
  from: string,
  to: string,
  seed: number,
): Promise<ModelManifest> {
  const manifest = await writePerturbedExport(from, to, seed);
  await rm(join(to, await shardPathOf(to)));
  return manifest;
}
