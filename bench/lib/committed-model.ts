/** Reads the committed model export (models/default) into decoded float32 weights, as the Worker does. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_MODEL_DIR,
  MANIFEST_FILE,
  MODEL_FILE,
  type ModelManifest,
  ModelManifestSchema,
} from '../../core/manifest.ts';
import { WEIGHT_SPECS } from '../../core/model-spec.ts';
import { decodeWeights, type WeightsGroup } from '../../core/weights.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface DecodedWeight {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

export interface CommittedModel {
  readonly manifest: ModelManifest;
  readonly weights: ReadonlyMap<string, DecodedWeight>;
  /** model.json plus its weight shards: what the Worker reads from R2 per load. */
  readonly modelBytes: number;
  readonly weightBytes: number;
}

export async function readCommittedModel(
  directory = join(REPO_ROOT, DEFAULT_MODEL_DIR),
): Promise<CommittedModel> {
  const manifest = ModelManifestSchema.parse(
    JSON.parse(await readFile(join(directory, MANIFEST_FILE), 'utf8')),
  );
  const modelJsonBytes = await readFile(join(directory, MODEL_FILE));
  const groups = (JSON.parse(modelJsonBytes.toString('utf8')) as { weightsManifest: WeightsGroup[] })
    .weightsManifest;
  const shards = await Promise.all(
    groups.flatMap((group) => group.paths).map((path) => readFile(join(directory, path))),
  );
  const joined = new Uint8Array(Buffer.concat(shards));
  const decoded = decodeWeights(groups, joined);
  const shapes = new Map(groups.flatMap((group) => group.weights.map((entry) => [entry.name, entry.shape])));
  const weights = new Map<string, DecodedWeight>();
  for (const spec of WEIGHT_SPECS) {
    const values = decoded.get(spec.name);
    if (values === undefined) throw new Error(`the committed model lacks ${spec.name}`);
    weights.set(spec.name, { values, shape: shapes.get(spec.name) ?? spec.shape });
  }
  return {
    manifest,
    weights,
    modelBytes: modelJsonBytes.byteLength + joined.byteLength,
    weightBytes: joined.byteLength,
  };
}
