/**
 * Pure checks of a model export before the Worker will serve it: weight names and shapes against the
 * architecture, finite values. Integrity (sha256) is checked as the files are read.
 */

import { elementCount, WEIGHT_SPECS } from '../../core/model-spec.ts';
import type { WeightsGroup } from '../../core/weights.ts';

export class ModelVerificationError extends Error {
  override readonly name = 'ModelVerificationError';
}

export interface CheckedWeight {
  readonly values: Float32Array;
  readonly shape: readonly number[];
}

/** Pulls `weightsManifest` out of a parsed model.json, refusing anything not shaped like tfjs's format. */
export function weightsManifestOf(modelJson: unknown): WeightsGroup[] {
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
export function checkWeights(
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
    for (const value of values) {
      if (!Number.isFinite(value))
        throw new ModelVerificationError(`weight ${spec.name} holds a non-finite value`);
    }
    checked.set(spec.name, { values, shape: spec.shape });
  }
  const unexpected = [...decoded.keys()].filter((name) => !WEIGHT_SPECS.some((spec) => spec.name === name));
  if (unexpected.length > 0) throw new ModelVerificationError(`unexpected weights: ${unexpected.join(', ')}`);
  return checked;
}
