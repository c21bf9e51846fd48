/**
 * The weights workflow against a ModelBucket: publish an export, roll back, list. Versions live under
 * `models/<version>/` and are never overwritten; `models/current.json` is switched only after every file
 * of the version has been uploaded and read back with the right size and sha256, and after the current
 * bundle (`models/current.bundle`, core/model-bundle.ts) holds that version.
 */
import { join } from 'node:path';
import type { CurrentPointer, FileEntry, ModelManifest } from '../../core/manifest.ts';
import {
  CURRENT_BUNDLE_KEY,
  CURRENT_POINTER_KEY,
  isVersionName,
  MANIFEST_FILE,
  modelFiles,
  versionKey,
} from '../../core/manifest.ts';
import { encodeModelBundle } from '../../core/model-bundle.ts';
import { sha256Hex } from '../../core/sha256.ts';
import {
  ModelVerificationError,
  parseStoredManifest,
  verifyModelFiles,
} from '../../worker/model/verify-weights.ts';
import { WeightsError } from './errors.ts';
import { readCheckedExport } from './export-folder.ts';
import { fileMismatch, parseManifest } from './manifest-checks.ts';
import type { ModelBucket } from './model-bucket.ts';
import {
  encodeJson,
  formatVersionTable,
  MODEL_INDEX_KEY,
  parseIndex,
  parsePointer,
  summariseVersion,
  withVersion,
} from './model-index.ts';

export interface WorkflowOptions {
  /** Progress lines; silent by default. */
  readonly log?: (line: string) => void;
  /** The clock, for publication dates. */
  readonly now?: () => Date;
}

/** The options' log and clock, or silence and the real clock. */
function workflowDefaults(options: WorkflowOptions): Required<WorkflowOptions> {
  return { log: options.log ?? (() => {}), now: options.now ?? (() => new Date()) };
}

export interface PublishResult {
  readonly version: string;
  /** Files actually uploaded (0 when the version was already in the bucket). */
  readonly uploaded: number;
  /** False when the pointer already named this version. */
  readonly switched: boolean;
}

/** Each wrangler call is a 2–3 s Node process: two at a time roughly halves a publish on two cores. */
const CONCURRENCY = 2;

async function inPool<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  const worker = async (): Promise<void> => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
}

const contentTypeOf = (path: string): string =>
  path.endsWith('.json')
    ? 'application/json'
    : path.endsWith('.svg')
      ? 'image/svg+xml'
      : 'application/octet-stream';

const manifestEntry = async (bytes: Uint8Array): Promise<FileEntry> => ({
  path: MANIFEST_FILE,
  bytes: bytes.byteLength,
  sha256: await sha256Hex(bytes),
});

interface StoredManifest {
  readonly manifest: ModelManifest;
  readonly bytes: Uint8Array;
}

async function readRemoteManifest(bucket: ModelBucket, version: string): Promise<StoredManifest | undefined> {
  const key = versionKey(version, MANIFEST_FILE);
  const bytes = await bucket.get(key);
  return bytes === undefined ? undefined : { manifest: parseManifest(bytes, `${key} in the bucket`), bytes };
}

interface Damage {
  readonly entry: FileEntry;
  readonly problem: string;
}

/** The version's files (read by `get`) that are not what its manifest says (empty when all are intact). */
async function findDamage(
  manifest: ModelManifest,
  get: (path: string) => Promise<Uint8Array | undefined>,
): Promise<Damage[]> {
  const damage: Damage[] = [];
  await inPool(manifest.files, async (entry) => {
    const problem = await fileMismatch(entry, await get(entry.path));
    if (problem !== undefined) damage.push({ entry, problem });
  });
  return damage;
}

export interface PublishOptions extends WorkflowOptions {
  /** Do nothing at all when the pointer already names this version (how `npm start` seeds quickly). */
  readonly skipIfCurrent?: boolean;
}

/**
 * Uploads the export in `dir` and makes it current. Publishing a version that is already in the bucket
 * uploads nothing (it only repairs files that are missing or damaged there) and leaves other versions alone.
 */
export async function publishExport(
  bucket: ModelBucket,
  dir: string,
  options: PublishOptions = {},
): Promise<PublishResult> {
  const { log, now } = workflowDefaults(options);
  const exported = await readCheckedExport(dir);
  const { version } = exported.manifest;
  log(`Export ${dir}: version ${version}, ${exported.manifest.files.length} files match its manifest.`);

  // Metadata reads overlap the uploads: each wrangler call costs seconds.
  const pointerRead = bucket.get(CURRENT_POINTER_KEY).then(parsePointer);
  pointerRead.catch(() => {}); // awaited below; avoids an unhandled rejection meanwhile
  // A pointer without a manifest hash predates the current bundle: publishing writes both.
  const isCurrent = (pointer: CurrentPointer | undefined): boolean =>
    pointer?.version === version && pointer.manifestSha256 !== undefined;
  if (options.skipIfCurrent === true && isCurrent(await pointerRead)) {
    log(`Version ${version} is already current in ${bucket.description}.`);
    return { version, uploaded: 0, switched: false };
  }
  const indexRead = bucket.get(MODEL_INDEX_KEY).then(parseIndex);
  indexRead.catch(() => {});

  // A version already in the bucket is immutable: its own manifest decides what its files must be.
  const remote = await readRemoteManifest(bucket, version);
  const remoteManifest = remote?.manifest;
  const localFor = (entry: FileEntry): string => {
    const local = exported.manifest.files.find((file) => file.path === entry.path);
    if (local === undefined || local.sha256 !== entry.sha256) {
      throw new WeightsError(
        `version ${version} in the bucket lacks a good ${entry.path} and this export has a different one`,
      );
    }
    return join(dir, entry.path);
  };
  const upload = async (
    entry: FileEntry,
    source: { file: string } | { bytes: Uint8Array },
  ): Promise<void> => {
    const key = versionKey(version, entry.path);
    await bucket.put(key, source, contentTypeOf(entry.path));
    const problem = await fileMismatch(entry, await bucket.get(key));
    if (problem !== undefined) throw new WeightsError(`upload of ${key} did not verify: ${problem}`);
    log(`  uploaded and verified ${key} (${entry.bytes} bytes)`);
  };

  let toUpload: readonly FileEntry[] = exported.manifest.files;
  if (remoteManifest !== undefined) {
    const get = (path: string) => bucket.get(versionKey(version, path));
    toUpload = (await findDamage(remoteManifest, get)).map((damage) => damage.entry);
    log(
      toUpload.length === 0
        ? `Version ${version} is already in the bucket (${bucket.description}) and intact: nothing to upload.`
        : `Version ${version} is in the bucket but ${toUpload.length} file(s) are missing or damaged: repairing.`,
    );
  } else {
    log(`Uploading version ${version} to ${bucket.description}...`);
  }
  await inPool(toUpload, (entry) => upload(entry, { file: localFor(entry) }));
  // The manifest goes last: a version whose manifest is in the bucket has all its files there.
  if (remoteManifest === undefined) {
    await upload(await manifestEntry(exported.manifestBytes), { bytes: exported.manifestBytes });
  }

  const publishedAt = now().toISOString();
  const [index, pointer] = await Promise.all([indexRead, pointerRead]);
  const updated = withVersion(index, summariseVersion(remoteManifest ?? exported.manifest, publishedAt));
  const switched = pointer?.version !== version;
  const stored = remote ?? { manifest: exported.manifest, bytes: exported.manifestBytes };
  // The export's own bytes where they are the stored version's; the bucket's otherwise.
  const readStored = async (entry: FileEntry): Promise<Uint8Array | undefined> => {
    const local = exported.files.get(entry.path);
    const localEntry = exported.manifest.files.find((file) => file.path === entry.path);
    return local !== undefined && localEntry?.sha256 === entry.sha256
      ? local
      : bucket.get(versionKey(version, entry.path));
  };
  await Promise.all([
    updated === index
      ? undefined
      : bucket.put(MODEL_INDEX_KEY, { bytes: encodeJson(updated) }, 'application/json'),
    isCurrent(pointer) ? undefined : makeCurrent(bucket, stored, readStored, publishedAt),
  ]);
  log(
    switched
      ? `models/current.json now points to ${version} (was ${pointer?.version ?? 'unset'}).`
      : `models/current.json already pointed to ${version}.`,
  );
  return { version, uploaded: toUpload.length + (remoteManifest === undefined ? 1 : 0), switched };
}

/**
 * Writes the current bundle of the stored version, then the pointer with its manifest's hash. A Worker
 * that reads the new pointer finds the bundle; one that reads the new bundle with the old pointer sees a
 * hash that is not its version's and reads the version's own files.
 */
async function makeCurrent(
  bucket: ModelBucket,
  stored: StoredManifest,
  read: (entry: FileEntry) => Promise<Uint8Array | undefined>,
  publishedAt: string,
): Promise<void> {
  const { version } = stored.manifest;
  const files = new Map([[MANIFEST_FILE, stored.bytes]]);
  for (const entry of modelFiles(stored.manifest)) {
    const bytes = await read(entry);
    const problem = await fileMismatch(entry, bytes);
    if (problem !== undefined || bytes === undefined)
      throw new WeightsError(`cannot bundle version ${version}: ${problem}`);
    files.set(entry.path, bytes);
  }
  await bucket.put(CURRENT_BUNDLE_KEY, { bytes: encodeModelBundle(files) }, 'application/octet-stream');
  const pointer: CurrentPointer = { version, publishedAt, manifestSha256: await sha256Hex(stored.bytes) };
  await bucket.put(CURRENT_POINTER_KEY, { bytes: encodeJson(pointer) }, 'application/json');
}

/**
 * Points `models/current.json` back to a published version, only after it passes the Worker's own checks:
 * a version name the Worker accepts, a manifest stored under that version that names it, every file's size
 * and sha256, the weights' names, shapes and finite values. What the CLI accepts, the Worker serves.
 */
export async function rollbackTo(
  bucket: ModelBucket,
  version: string,
  options: WorkflowOptions = {},
): Promise<void> {
  const { log, now } = workflowDefaults(options);
  if (!isVersionName(version)) {
    throw new WeightsError(
      `${JSON.stringify(version)} is not a version name (letters, digits, ".", "_", "-")`,
    );
  }
  const manifestBytes = await bucket.get(versionKey(version, MANIFEST_FILE));
  if (manifestBytes === undefined) {
    const known = parseIndex(await bucket.get(MODEL_INDEX_KEY)).versions.map((entry) => entry.version);
    throw new WeightsError(
      `unknown version ${version} in ${bucket.description}; published: ${known.length === 0 ? 'none' : known.join(', ')}`,
    );
  }
  try {
    const manifest = parseStoredManifest(new TextDecoder().decode(manifestBytes), version);
    // Each file is fetched once (a wrangler call costs seconds) and checked twice below.
    const fetched = new Map<string, Promise<Uint8Array | undefined>>();
    const get = (path: string): Promise<Uint8Array | undefined> => {
      const bytes = fetched.get(path) ?? bucket.get(versionKey(version, path));
      fetched.set(path, bytes);
      return bytes;
    };
    // The shards are checked with the Worker's code; the pictures too, so the version is whole.
    await verifyModelFiles(manifest, get);
    const damage = await findDamage(manifest, get);
    if (damage.length > 0) throw new ModelVerificationError(damage.map((d) => d.problem).join('; '));
    await makeCurrent(
      bucket,
      { manifest, bytes: manifestBytes },
      (entry) => get(entry.path),
      now().toISOString(),
    );
    log(`models/current.json now points to ${version}; it passes the Worker's checks.`);
  } catch (error) {
    if (!(error instanceof ModelVerificationError)) throw error;
    throw new WeightsError(
      `version ${version} in the bucket would be refused by the Worker: ${error.message}`,
    );
  }
}

/** The current pointer, if any. */
async function readCurrentVersion(bucket: ModelBucket): Promise<string | undefined> {
  return parsePointer(await bucket.get(CURRENT_POINTER_KEY))?.version;
}

/** The `weights:list` table for the bucket. */
export async function describeVersions(bucket: ModelBucket): Promise<string> {
  const [index, current] = await Promise.all([
    bucket.get(MODEL_INDEX_KEY).then(parseIndex),
    readCurrentVersion(bucket),
  ]);
  return formatVersionTable(index, current);
}
