/**
 * Reads one published model version from R2 and refuses it unless every file matches the manifest's
 * sha256 and size, the weights match the architecture and every value is finite.
 */

import { signalParametersProblem } from '../../core/confidence.ts';
import { MANIFEST_FILE, MODEL_FILE, type ModelManifest, versionKey } from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { decodeWeights } from '../../core/weights.ts';
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
  const signalProblem = signalParametersProblem(manifest.calibration, manifest.digitDetector);
  if (signalProblem !== undefined) throw new ModelVerificationError(`${MANIFEST_FILE}: ${signalProblem}`);
  return manifest;
}

/** Reads a model file and checks it against its manifest entry. */
async function readVerifiedFile(
  bucket: R2Bucket,
  manifest: ModelManifest,
  path: string,
): Promise<Uint8Array> {
  const entry = manifest.files.find((file) => file.path === path);
  if (entry === undefined) throw new ModelVerificationError(`${path} is not listed in ${MANIFEST_FILE}`);
  const object = await bucket.get(versionKey(manifest.version, path));
  if (object === null) throw new ModelVerificationError(`${path} is missing`);
  const bytes = new Uint8Array(await object.arrayBuffer());
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
export async function readManifest(bucket: R2Bucket, version: string): Promise<ModelManifest> {
  const object = await bucket.get(versionKey(version, MANIFEST_FILE));
  if (object === null) throw new ModelVersionNotFoundError(`model version ${version} is not published`);
  return parseManifest(await object.text(), version);
}

/**
 * Loads and verifies `version`. Throws ModelVersionNotFoundError, ModelVerificationError (the version is
 * bad and stays bad: versions are immutable) or any R2 error (worth retrying later).
 */
export async function loadModelFromR2(bucket: R2Bucket, version: string): Promise<LoadedModel> {
  const manifest = await readManifest(bucket, version);
  // The manifest lists the shards too, so model.json and the shards are read in one round of requests;
  // model.json's own shard list is checked against them below.
  const shardPaths = manifest.files.map((file) => file.path).filter((path) => path.endsWith('.bin'));
  const [modelJsonBytes, ...shards] = await Promise.all(
    [MODEL_FILE, ...shardPaths].map((path) => readVerifiedFile(bucket, manifest, path)),
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
