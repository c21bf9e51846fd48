/**
 * Reads one published model version from R2 and refuses it unless every file matches the manifest's
 * sha256 and size, the weights match the architecture and every value is finite.
 */

import { MANIFEST_FILE, type ModelManifest, versionKey } from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { createFusedModel, type FusedModel } from './fused-model.ts';
import { parseStoredManifest, verifyModelFiles } from './verify-weights.ts';

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

/** The manifest of a published version, or ModelVersionNotFoundError. */
export async function readManifest(bucket: R2Bucket, version: string): Promise<ModelManifest> {
  const object = await bucket.get(versionKey(version, MANIFEST_FILE));
  if (object === null) throw new ModelVersionNotFoundError(`model version ${version} is not published`);
  return parseStoredManifest(await object.text(), version);
}

/**
 * Loads and verifies `version`. Throws ModelVersionNotFoundError, ModelVerificationError (the version is
 * bad and stays bad: versions are immutable) or any R2 error (worth retrying later).
 */
export async function loadModelFromR2(bucket: R2Bucket, version: string): Promise<LoadedModel> {
  const manifest = await readManifest(bucket, version);
  const weights = await verifyModelFiles(manifest, async (path) => {
    const object = await bucket.get(versionKey(manifest.version, path));
    return object === null ? undefined : new Uint8Array(await object.arrayBuffer());
  });
  const model = createFusedModel(weights);
  // One throw-away prediction sets up XNNPACK's operators now, so no user request pays for it after a
  // hot reload.
  model.predict(new Float32Array(PIXEL_COUNT), 1);
  return { version, manifest, model, loadedAt: new Date().toISOString() };
}
