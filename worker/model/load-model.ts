/**
 * Reads one published model version from R2 and refuses it unless every file matches the manifest's
 * sha256 and size, the weights match the architecture and every value is finite.
 */

import {
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  SHARD_FILE,
  versionKey,
} from '../../core/manifest.ts';
import { BundleFormatError, decodeModelBundle } from '../../core/model-bundle.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { logEvent } from '../log.ts';
import { withTimeout } from '../timeout.ts';
import { createFusedModel, type FusedModel } from './fused-model.ts';
import {
  ModelVerificationError,
  parseStoredManifest,
  type ReadModelFile,
  verifyModelFiles,
} from './verify-weights.ts';

export interface LoadedModel {
  readonly version: string;
  readonly manifest: ModelManifest;
  readonly model: FusedModel;
  readonly loadedAt: string;
  /** Where the load's time went (logged with `model_switched`; the cold-start benchmark reads it). */
  readonly timings: LoadTimings;
}

/**
 * Milliseconds of each step of a load, by performance.now() (which on Cloudflare advances only across
 * I/O: there the pure-CPU steps may read 0 and their time shows in the next I/O step).
 */
export interface LoadTimings {
  /** Where the files came from: the current bundle (one object, read alongside the pointer) or the version's own. */
  readonly source: 'bundle' | 'files';
  /** Reading and parsing manifest.json; from the bundle, the rest of its read after the pointer's, and its decoding. */
  readonly manifestMs: number;
  /** After the manifest, until the last of model.json and the weight shards arrived (all read in parallel). */
  readonly filesMs: number;
  /** After the last file: sha256 checks, weight decoding and the finite/shape checks. */
  readonly verifyMs: number;
  /** Waiting for the inference runtime that started alongside the reads (0 when it was ready first). */
  readonly runtimeWaitMs: number;
  /** Weight tensors into the wasm heap. */
  readonly tensorsMs: number;
  /** The throw-away first prediction that sets up XNNPACK's operators. */
  readonly warmUpMs: number;
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
  /**
   * The inference runtime's start, when it runs alongside this load: the files are read and verified
   * meanwhile, and only the tensors wait for it. Without it the runtime must already be started.
   */
  readonly runtime?: Promise<unknown>;
  /**
   * Read model.json and the shard alongside the manifest (default true): one round trip less for a
   * version known to exist (the pointer's). A `?version=` pin may name nothing, so it reads the manifest
   * first and a wrong name costs one R2 read, not three.
   */
  readonly readAhead?: boolean;
  /**
   * The current bundle (core/model-bundle.ts), read alongside the pointer by a cold isolate, and the
   * pointer's manifest hash. Used when its manifest has that hash and its files pass the checks; otherwise
   * the version's own files are read.
   */
  readonly current?: { readonly bundle: Promise<Uint8Array | null>; readonly manifestSha256: string };
}

/** How the registry loads a version: loadModelFromR2, or a test's stand-in that fails on purpose. */
export type LoadModel = (bucket: R2Bucket, version: string, options?: LoadOptions) => Promise<LoadedModel>;

/** The manifest of a published version, or ModelVersionNotFoundError. */
async function readManifest(
  bucket: R2Bucket,
  version: string,
  timeoutMs = R2_READ_TIMEOUT_MS,
): Promise<ModelManifest> {
  const bytes = await readR2Bytes(bucket, versionKey(version, MANIFEST_FILE), timeoutMs);
  if (bytes === null) throw new ModelVersionNotFoundError(`model version ${version} is not published`);
  return parseStoredManifest(new TextDecoder().decode(bytes), version);
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
  const started = performance.now();
  if (options.current !== undefined) {
    const files = await bundleFor(version, options.current);
    if (files !== null) {
      try {
        const manifest = parseStoredManifest(new TextDecoder().decode(files.get(MANIFEST_FILE)), version);
        return await buildModel(version, manifest, async (path) => files.get(path), options, {
          source: 'bundle',
          started,
        });
      } catch (error) {
        // A damaged bundle says nothing about the version itself: its own files decide.
        if (!(error instanceof ModelVerificationError)) throw error;
        logEvent('warn', 'current_bundle_refused', { version, error });
      }
    }
  }
  // The files every export of `npm run train` has are read alongside the manifest (one round trip less
  // on a cold start); any other file the manifest lists is read once it is known.
  const early = new Map(
    (options.readAhead === false ? [] : [MODEL_FILE, SHARD_FILE]).map((path) => [
      path,
      readR2Bytes(bucket, versionKey(version, path), timeoutMs),
    ]),
  );
  for (const read of early.values()) read.catch(() => {}); // surfaces below when used; unused ones may fail
  const manifest = await readManifest(bucket, version, timeoutMs);
  const read: ReadModelFile = async (path) =>
    (await (early.get(path) ?? readR2Bytes(bucket, versionKey(version, path), timeoutMs))) ?? undefined;
  return buildModel(version, manifest, read, options, { source: 'files', started });
}

/**
 * The files of the current bundle when it holds `version`'s manifest (by the pointer's hash), else null:
 * missing, unreadable or another version's (a publish between its two writes) all mean "read the files".
 */
async function bundleFor(
  version: string,
  current: NonNullable<LoadOptions['current']>,
): Promise<Map<string, Uint8Array> | null> {
  const bytes = await current.bundle;
  if (bytes === null) return null;
  try {
    const files = decodeModelBundle(bytes);
    const manifest = files.get(MANIFEST_FILE);
    return manifest !== undefined && (await sha256Hex(manifest)) === current.manifestSha256 ? files : null;
  } catch (error) {
    if (!(error instanceof BundleFormatError)) throw error;
    logEvent('warn', 'current_bundle_refused', { version, error });
    return null;
  }
}

/** Reads and verifies the manifest's model files through `read`, then builds and warms the model. */
async function buildModel(
  version: string,
  manifest: ModelManifest,
  read: ReadModelFile,
  options: LoadOptions,
  { source, started }: { source: LoadTimings['source']; started: number },
): Promise<LoadedModel> {
  const manifestRead = performance.now();
  let lastFileRead = manifestRead;
  const weights = await verifyModelFiles(manifest, async (path) => {
    const bytes = await read(path);
    lastFileRead = Math.max(lastFileRead, performance.now());
    return bytes;
  });
  const verified = performance.now();
  await options.runtime;
  const runtimeReady = performance.now();
  const model = createFusedModel(weights);
  const built = performance.now();
  // One throw-away prediction, on the requests' own path (logits and hidden activations), sets up
  // XNNPACK's operators now, so no user request pays for it after a hot reload.
  model.outputs(new Float32Array(PIXEL_COUNT), 1);
  const warm = performance.now();
  const timings: LoadTimings = {
    source,
    manifestMs: manifestRead - started,
    filesMs: lastFileRead - manifestRead,
    verifyMs: verified - lastFileRead,
    runtimeWaitMs: runtimeReady - verified,
    tensorsMs: built - runtimeReady,
    warmUpMs: warm - built,
  };
  return { version, manifest, model, loadedAt: new Date().toISOString(), timings };
}
