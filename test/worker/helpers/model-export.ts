/**
 * Model exports built inside the tests, and publishing them to the local R2 bucket the way
 * `npm run weights:publish` does (files under models/<version>/, manifest last, then the pointer).
 */

import { env } from 'cloudflare:workers';
import { inject } from 'vitest';
import {
  CURRENT_BUNDLE_KEY,
  CURRENT_POINTER_KEY,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  ModelManifestSchema,
  modelFiles,
  versionKey,
} from '../../../core/manifest.ts';
import { encodeModelBundle } from '../../../core/model-bundle.ts';
import { elementCount, WEIGHT_SPECS } from '../../../core/model-spec.ts';
import { sha256Hex } from '../../../core/sha256.ts';

export interface ModelExport {
  readonly version: string;
  /** Every file but the manifest, by path. */
  readonly files: Map<string, Uint8Array>;
  readonly manifest: ModelManifest;
}

export const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The committed models/default export, as the test config read it from disk. */
export function committedExport(): ModelExport {
  const raw = inject('modelFiles');
  const manifestText = raw[MANIFEST_FILE];
  if (manifestText === undefined)
    throw new Error('models/default/manifest.json is missing: commit the trained model first');
  const manifest = ModelManifestSchema.parse(JSON.parse(new TextDecoder().decode(fromBase64(manifestText))));
  const files = new Map<string, Uint8Array>();
  for (const entry of manifest.files) {
    const text = raw[entry.path];
    if (text !== undefined) files.set(entry.path, fromBase64(text));
  }
  return { version: manifest.version, files, manifest };
}

/** Rewrites the manifest so it describes `files` under `version` (sizes and hashes recomputed). */
export async function withFiles(
  base: ModelExport,
  version: string,
  files: Map<string, Uint8Array>,
): Promise<ModelExport> {
  const entries = await Promise.all(
    [...files].map(async ([path, bytes]) => ({
      path,
      bytes: bytes.byteLength,
      sha256: await sha256Hex(bytes),
    })),
  );
  return { version, files, manifest: { ...base.manifest, version, files: entries } };
}

/** A small seeded generator, so "random" exports are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A float32 export with random weights of the right shapes: loads fine, predicts nonsense. */
export async function randomExport(version: string, seed: number): Promise<ModelExport> {
  const random = seeded(seed);
  const total = WEIGHT_SPECS.reduce((sum, spec) => sum + elementCount(spec.shape), 0);
  const weights = Float32Array.from({ length: total }, () => (random() - 0.5) * 0.2);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'digit-edge tests',
    modelTopology: {},
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: WEIGHT_SPECS.map((spec) => ({ name: spec.name, shape: [...spec.shape], dtype: 'float32' })),
      },
    ],
  };
  const files = new Map<string, Uint8Array>([
    [MODEL_FILE, new TextEncoder().encode(JSON.stringify(modelJson))],
    ['group1-shard1of1.bin', new Uint8Array(weights.buffer)],
  ]);
  const base = committedExport();
  return withFiles({ ...base, manifest: { ...base.manifest, precision: 'float32' } }, version, files);
}

/** Uploads a version's files, then its manifest (as the publisher does); optionally switches the pointer. */
export async function publish(model: ModelExport, options: { pointer?: boolean } = {}): Promise<void> {
  for (const [path, bytes] of model.files) await env.MODELS.put(versionKey(model.version, path), bytes);
  await env.MODELS.put(versionKey(model.version, MANIFEST_FILE), JSON.stringify(model.manifest));
  if (options.pointer !== false) await pointTo(model.version);
}

/** Switches the pointer as publishers did before the current bundle: no manifest hash. */
export async function pointTo(version: string): Promise<void> {
  await env.MODELS.put(
    CURRENT_POINTER_KEY,
    JSON.stringify({ version, publishedAt: new Date().toISOString() }),
  );
}

/** The bytes `publish` stores as the version's manifest.json. */
const manifestBytes = (model: ModelExport): Uint8Array =>
  new TextEncoder().encode(JSON.stringify(model.manifest));

/** The current bundle of `model` (core/model-bundle.ts), as `npm run weights:publish` writes it. */
export function bundleOf(model: ModelExport): Map<string, Uint8Array> {
  const files = new Map([[MANIFEST_FILE, manifestBytes(model)]]);
  for (const entry of modelFiles(model.manifest)) {
    const bytes = model.files.get(entry.path);
    if (bytes === undefined) throw new Error(`${entry.path} is not in the export`);
    files.set(entry.path, bytes);
  }
  return files;
}

/**
 * Makes `model` (already published) current as the publisher does today: `bundle` (default: the model's
 * own) as `models/current.bundle`, then the pointer with the model's manifest hash.
 */
export async function makeCurrent(
  model: ModelExport,
  bundle: Map<string, Uint8Array> = bundleOf(model),
): Promise<void> {
  await env.MODELS.put(CURRENT_BUNDLE_KEY, encodeModelBundle(bundle));
  await env.MODELS.put(
    CURRENT_POINTER_KEY,
    JSON.stringify({
      version: model.version,
      publishedAt: new Date().toISOString(),
      manifestSha256: await sha256Hex(manifestBytes(model)),
    }),
  );
}

/** Empties the bucket. */
export async function clearBucket(): Promise<void> {
  for (;;) {
    const listed = await env.MODELS.list({ limit: 1000 });
    if (listed.objects.length === 0) return;
    await env.MODELS.delete(listed.objects.map((object) => object.key));
  }
}
