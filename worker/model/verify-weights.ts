/**
 * The checks a model version must pass before the Worker will serve it: every file's size and sha256
 * against the manifest, weight names and shapes against the architecture, finite values. Pure apart from
 * the `readFile` callback, so `weights:rollback` runs exactly these checks before it moves the pointer.
 */

import { scoreParametersProblem, signalParametersProblem } from '../../core/confidence.ts';
import {
  type FileEntry,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  ModelManifestSchema,
  modelFiles,
  parseJsonAs,
} from '../../core/manifest.ts';
import { elementCount, WEIGHT_SPECS } from '../../core/model-spec.ts';
import { sha256Hex } from '../../core/sha256.ts';
import { decodeWeights, type WeightsGroup } from '../../core/weights.ts';

export class ModelVerificationError extends Error {
  override readonly name = 'ModelVerificationError';
}

export interface CheckedWeight {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** Pulls `weightsManifest` out of a parsed model.json, refusing anything not shaped like tfjs's format. */
function weightsManifestOf(modelJson: unknown): WeightsGroup[] {
  const manifest = (modelJson as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    throw new ModelVerificationError('model.json has no weightsManifest');
  }
  for (const group of manifest as WeightsGroup[]) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw new ModelVerificationError('model.json has a weights group without paths or weights');
    }
    for (const path of group.paths) {
      if (typeof path !== 'string' || !/^[\w.-]+$/.test(path)) {
        throw new ModelVerificationError(`model.json names an unsafe shard path ${JSON.stringify(path)}`);
      }
    }
  }
  return manifest as WeightsGroup[];
}

/** Every WEIGHT_SPECS weight present with its exact shape, nothing else, every value finite. */
function checkWeights(
  decoded: ReadonlyMap<string, Float32Array>,
  groups: readonly WeightsGroup[],
): Map<string, CheckedWeight> {
  const shapes = new Map(
    groups.flatMap((group) => group.weights.map((entry) => [entry.name, entry.shape] as const)),
  );
  const checked = new Map<string, CheckedWeight>();
  for (const spec of WEIGHT_SPECS) {
    const values = decoded.get(spec.name);
    const shape = shapes.get(spec.name);
    if (values === undefined || shape === undefined)
      throw new ModelVerificationError(`weight ${spec.name} is missing`);
    if (shape.length !== spec.shape.length || shape.some((size, i) => size !== spec.shape[i])) {
      throw new ModelVerificationError(
        `weight ${spec.name} has shape [${shape}], the architecture needs [${spec.shape}]`,
      );
    }
    if (values.length !== elementCount(spec.shape)) {
      throw new ModelVerificationError(`weight ${spec.name} has ${values.length} values`);
    }
    // Native scans (`includes` finds NaN too), not a loop over 221k values that a cold isolate would
    // run unoptimised: 10–20 ms of its first request.
    if (values.includes(Number.NaN) || values.includes(Infinity) || values.includes(-Infinity))
      throw new ModelVerificationError(`weight ${spec.name} holds a non-finite value`);
    checked.set(spec.name, { values, shape: spec.shape });
  }
  const unexpected = [...decoded.keys()].filter((name) => !WEIGHT_SPECS.some((spec) => spec.name === name));
  if (unexpected.length > 0) throw new ModelVerificationError(`unexpected weights: ${unexpected.join(', ')}`);
  return checked;
}

/** The manifest stored under `models/<version>/`, refused unless it is well-formed and names that version. */
export function parseStoredManifest(text: string, version: string): ModelManifest {
  const parsed = parseJsonAs(ModelManifestSchema, text);
  if (!parsed.ok) throw new ModelVerificationError(`${MANIFEST_FILE} ${parsed.problem}`);
  if (parsed.value.version !== version) {
    throw new ModelVerificationError(
      `${MANIFEST_FILE} names version ${parsed.value.version}, stored under ${version}`,
    );
  }
  const { segmentScorer } = parsed.value;
  const signalProblem =
    signalParametersProblem(parsed.value.calibration, parsed.value.digitDetector) ??
    (segmentScorer && scoreParametersProblem('segmentScorer', segmentScorer));
  if (signalProblem !== undefined) throw new ModelVerificationError(`${MANIFEST_FILE}: ${signalProblem}`);
  return parsed.value;
}

/** Why `bytes` are not the file `entry` describes, or undefined when they are. */
export async function fileMismatch(
  entry: FileEntry,
  bytes: Uint8Array | undefined,
): Promise<string | undefined> {
  if (bytes === undefined) return `${entry.path} is missing`;
  if (bytes.byteLength !== entry.bytes) {
    return `${entry.path} has ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`;
  }
  const hash = await sha256Hex(bytes);
  if (hash !== entry.sha256) return `${entry.path} has sha256 ${hash}, the manifest says ${entry.sha256}`;
  return undefined;
}

/** Reads one file of the version; undefined when it is absent. */
export type ReadModelFile = (path: string) => Promise<Uint8Array | undefined>;

/**
 * Reads model.json and its weight shards through `readFile`, checks each against the manifest, decodes
 * the weights and checks them against the architecture. Throws ModelVerificationError on any mismatch;
 * errors of `readFile` itself pass through (worth retrying later).
 */
export async function verifyModelFiles(
  manifest: ModelManifest,
  readFile: ReadModelFile,
): Promise<Map<string, CheckedWeight>> {
  const readVerified = async (path: string): Promise<Uint8Array> => {
    const entry = manifest.files.find((file) => file.path === path);
    if (entry === undefined) throw new ModelVerificationError(`${path} is not listed in ${MANIFEST_FILE}`);
    const bytes = await readFile(path);
    const problem = await fileMismatch(entry, bytes);
    if (problem !== undefined || bytes === undefined) throw new ModelVerificationError(problem);
    return bytes;
  };
  // The manifest lists the shards too, so model.json and the shards are read in one round of requests;
  // model.json's own shard list is checked against them below.
  const shardPaths = modelFiles(manifest)
    .map((file) => file.path)
    .filter((path) => path !== MODEL_FILE);
  const [modelJsonBytes, ...shards] = await Promise.all([MODEL_FILE, ...shardPaths].map(readVerified));
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
  return checkWeights(decoded, groups);
}
