/**
 * Pure checks of a model export against its manifest: the shape of `manifest.json` itself and every file's
 * size and sha256. Used before an upload (the local files), after it (what R2 hands back) and on rollback.
 */
import type { FileEntry, ModelManifest } from '../../core/manifest.ts';
import { MODEL_FILE } from '../../core/manifest.ts';
import { sha256Hex } from '../../training/export.ts';
import { WeightsError } from './errors.ts';

/** Versions and file names become R2 key segments: keep them to plain names, never paths. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The exporter's own hash, so publishing checks files exactly as they were written. */
export { sha256Hex };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Parses `manifest.json` bytes, checking what publishing relies on (format, version, file list); the
 * metrics are passed through for listing. `origin` names the file in error messages.
 */
export function parseManifest(bytes: Uint8Array, origin: string): ModelManifest {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new WeightsError(`${origin} is not valid JSON`);
  }
  if (!isRecord(json)) throw new WeightsError(`${origin} is not a JSON object`);
  if (json.format !== 'digit-edge-model/1') {
    throw new WeightsError(
      `${origin} has format ${JSON.stringify(json.format)}, expected "digit-edge-model/1"`,
    );
  }
  if (typeof json.version !== 'string' || !SAFE_SEGMENT.test(json.version)) {
    throw new WeightsError(`${origin} has no usable version (got ${JSON.stringify(json.version)})`);
  }
  if (!Array.isArray(json.files) || json.files.length === 0) {
    throw new WeightsError(`${origin} lists no files`);
  }
  const seen = new Set<string>();
  for (const entry of json.files as unknown[]) {
    if (
      !isRecord(entry) ||
      typeof entry.path !== 'string' ||
      !SAFE_SEGMENT.test(entry.path) ||
      !Number.isSafeInteger(entry.bytes) ||
      (entry.bytes as number) < 0 ||
      typeof entry.sha256 !== 'string' ||
      !/^[0-9a-f]{64}$/.test(entry.sha256)
    ) {
      throw new WeightsError(`${origin} has a malformed file entry: ${JSON.stringify(entry)}`);
    }
    if (seen.has(entry.path)) throw new WeightsError(`${origin} lists ${entry.path} twice`);
    seen.add(entry.path);
  }
  if (!seen.has(MODEL_FILE)) throw new WeightsError(`${origin} does not list ${MODEL_FILE}`);
  return json as unknown as ModelManifest;
}

/** Why `bytes` are not the file the manifest describes, or undefined when they are. */
export function fileMismatch(entry: FileEntry, bytes: Uint8Array | undefined): string | undefined {
  if (bytes === undefined) return `${entry.path} is missing`;
  if (bytes.byteLength !== entry.bytes) {
    return `${entry.path} has ${bytes.byteLength} bytes, the manifest says ${entry.bytes}`;
  }
  const actual = sha256Hex(bytes);
  if (actual !== entry.sha256) return `${entry.path} has sha256 ${actual}, the manifest says ${entry.sha256}`;
  return undefined;
}
