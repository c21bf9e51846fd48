/**
 * The publisher's reading of `manifest.json` (the one schema in core/manifest.ts) and its file checks (the
 * Worker's own, so a version the publisher accepts is one the Worker accepts). Used before an upload (the
 * local files), after it (what R2 hands back) and on rollback.
 */
import { type ModelManifest, ModelManifestSchema, parseJsonAs } from '../../core/manifest.ts';
import { WeightsError } from './errors.ts';

export { fileMismatch } from '../../worker/model/verify-weights.ts';

/** Parses `manifest.json` bytes against the manifest schema. `origin` names the file in error messages. */
export function parseManifest(bytes: Uint8Array, origin: string): ModelManifest {
  const parsed = parseJsonAs(ModelManifestSchema, new TextDecoder().decode(bytes));
  if (!parsed.ok) throw new WeightsError(`${origin} ${parsed.problem}`);
  return parsed.value;
}
