/** Reads a model export folder (`npm run train` output) and checks every file against its manifest. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelManifest } from '../../core/manifest.ts';
import { MANIFEST_FILE } from '../../core/manifest.ts';
import { WeightsError } from './errors.ts';
import { fileMismatch, parseManifest } from './manifest-checks.ts';

export interface CheckedExport {
  readonly dir: string;
  readonly manifest: ModelManifest;
  /** The raw `manifest.json`, uploaded byte for byte. */
  readonly manifestBytes: Uint8Array;
  /** Every file the manifest lists, checked against it, by path. */
  readonly files: ReadonlyMap<string, Uint8Array>;
}

const readIfPresent = async (path: string): Promise<Uint8Array | undefined> => {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Throws WeightsError when the folder, its manifest or any file listed in it is missing or different. */
export async function readCheckedExport(dir: string): Promise<CheckedExport> {
  const manifestPath = join(dir, MANIFEST_FILE);
  const manifestBytes = await readIfPresent(manifestPath);
  if (manifestBytes === undefined) {
    throw new WeightsError(`no model export at ${dir} (${manifestPath} is missing; run npm run train)`);
  }
  const manifest = parseManifest(manifestBytes, manifestPath);
  const files = new Map<string, Uint8Array>();
  for (const entry of manifest.files) {
    const bytes = await readIfPresent(join(dir, entry.path));
    const problem = await fileMismatch(entry, bytes);
    if (problem !== undefined || bytes === undefined)
      throw new WeightsError(`export ${dir} does not match its manifest: ${problem}`);
    files.set(entry.path, bytes);
  }
  return { dir, manifest, manifestBytes, files };
}
