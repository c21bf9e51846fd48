/**
 * Reads one published model version from R2 and refuses it unless every file matches the manifest's
 * sha256 and size, the weights match the architecture and every value is finite.
 */

import { MANIFEST_FILE, MODEL_FILE, type ModelManifest, versionKey } from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { decodeWeights } from '../../core/weights.ts';
import { withTimeout } from '../timeout.ts';
import { createFusedModel, type FusedModel } from './fused-model.ts';
import { checkWeights, ModelVerificationError, weightsManifestOf } from './verify-weights.ts';

export interface LoadedModel {
  readonly version: string;
  readonly manifest: ModelManifest;
  readonly model: FusedModel;
  readonly loadedAt: string;
}

/** The version has no manifest in the bucket: never published (or not a version at all). */
export class ModelVersionNotFoundError extends Error {
  override readonly name = 'ModelVersionNotFoundError';
}

/** Longest wait for one R2 object, body included; a stuck read fails like any storage error. */
export const R2_READ_TIMEOUT_MS = 10_000;

/** The bytes of `key`, or null when it does not exist; rejects with TimeoutError after `timeoutMs`. */
export function readR2Bytes(bucket: R2Bucket, key: string, timeoutMs: number): Promise<Uint8Array | null> {
  const read = async (): Promise<Uint8Array | null> => {
    const object = await bucket.get(key);
    return object === null ? null : new Uint8Array(await object.arrayBuffer());
  };
  return withTimeout(read(), timeoutMs, `reading R2 object ${key}`);
}

export interface LoadOptions {
  /** Per R2 object (default R2_READ_TIMEOUT_MS). */
  readonly readTimeoutMs?: number;
}

/** How the registry loads a version: loadModelFromR2, or a test's stand-in that fails on purpose. */
export type LoadModel = (bucket: R2Bucket, version: string, options?: LoadOptions) => Promise<LoadedModel>;

const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const isVersionName = (value: string): boolean => VERSION_PATTERN.test(value);

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function parseManifest(text: string, version: string): ModelManifest {
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(text) as ModelManifest;
  } catch {
    throw new ModelVerificationError(`${MANIFEST_FILE} is not JSON`);
  }
  if (manifest?.format !== 'digit-edge-model/1')
    throw new ModelVerificationError(`${MANIFEST_FILE} has an unknown format`);
  if (manifest.version !== version) {
    throw new ModelVerificationError(
      `${MANIFEST_FILE} names version ${manifest.version}, stored under ${version}`,
    );
  }
  if (!Array.isArray(manifest.files)) throw new ModelVerificationError(`${MANIFEST_FILE} lists no files`);
  return manifest;
}

/** Reads a model file and checks it against its manifest entry. */
async function readVerifiedFile(
  bucket: R2Bucket,
  manifest: ModelManifest,
  path: string,
  timeoutMs: number,
): Promise<Uint8Array> {
  const entry = manifest.files.find((file) => file.path === path);
  if (entry === undefined) throw new ModelVerificationError(`${path} is not listed in ${MANIFEST_FILE}`);
  const bytes = await readR2Bytes(bucket, versionKey(manifest.version, path), timeoutMs);
  if (bytes === null) throw new ModelVerificationError(`${path} is missing`);
  if (bytes.byteLength !== entry.bytes) {
    throw new ModelVerificationError(
      `${path} holds ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`,
    );
  }
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256)
    throw new ModelVerificationError(`${path} has sha256 ${hash}, the manifest says ${entry.sha256}`);
  return bytes;
}

/** The manifest of a published version, or ModelVersionNotFoundError. */
export async function readManifest(
  bucket: R2Bucket,
  version: string,
  timeoutMs = R2_READ_TIMEOUT_MS,
): Promise<ModelManifest> {
  const bytes = await readR2Bytes(bucket, versionKey(version, MANIFEST_FILE), timeoutMs);
  if (bytes === null) throw new ModelVersionNotFoundError(`model version ${version} is not published`);
  return parseManifest(new TextDecoder().decode(bytes), version);
}

/**
 * Loads and verifies `version`. Throws ModelVersionNotFoundError, ModelVerificationError (the version is
 * bad and stays bad: versions are immutable) or any R2 error or TimeoutError (worth retrying later).
 */
export async function loadModelFromR2(
  bucket: R2Bucket,
  version: string,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const timeoutMs = options.readTimeoutMs ?? R2_READ_TIMEOUT_MS;
  const manifest = await readManifest(bucket, version, timeoutMs);
  // The manifest lists the shards too, so model.json and the shards are read in one round of requests;
  // model.json's own shard list is checked against them below.
  const shardPaths = manifest.files.map((file) => file.path).filter((path) => path.endsWith('.bin'));
  const [modelJsonBytes, ...shards] = await Promise.all(
    [MODEL_FILE, ...shardPaths].map((path) => readVerifiedFile(bucket, manifest, path, timeoutMs)),
  );
  let modelJson: unknown;
  try {
    modelJson = JSON.parse(new TextDecoder().decode(modelJsonBytes));
  } catch {
    throw new ModelVerificationError(`${MODEL_FILE} is not JSON`);
  }
  const groups = weightsManifestOf(modelJson);
  const listedShards = groups.flatMap((group) => group.paths);
  if (listedShards.join('\n') !== shardPaths.join('\n')) {
    throw new ModelVerificationError(
      `${MODEL_FILE} lists shards [${listedShards.join(', ')}], ${MANIFEST_FILE} lists [${shardPaths.join(', ')}]`,
    );
  }
  const joined = new Uint8Array(shards.reduce((total, shard) => total + shard.byteLength, 0));
  let offset = 0;
  for (const shard of shards) {
    joined.set(shard, offset);
    offset += shard.byteLength;
  }
  let decoded: Map<string, Float32Array>;
  try {
    decoded = decodeWeights(groups, joined);
  } catch (error) {
    // Sizes that disagree with the shards, or entries too malformed to decode: either way a bad export.
    throw new ModelVerificationError(error instanceof Error ? error.message : String(error));
  }
  const weights = checkWeights(decoded, groups);
  const model = createFusedModel(weights);
  // One throw-away prediction sets up XNNPACK's operators now, so no user request pays for it after a
  // hot reload.
  model.predict(new Float32Array(PIXEL_COUNT), 1);
  return { version, manifest, model, loadedAt: new Date().toISOString() };
}
