/**
 * `models/current.bundle`: the current version's manifest.json, model.json and weight shards in one R2
 * object. A fresh isolate reads it alongside the pointer, so its first answer waits for one round of R2
 * reads instead of two (pointer, then the version's files). The pointer stays the truth: the bundle counts
 * only when its manifest hashes to the pointer's `manifestSha256`, and its files are then checked against
 * that manifest like any others. Anything else (an older pointer, a publish half done, damage) means the
 * version's own files are read as before.
 *
 * Layout: the 4 bytes `DEB1`, a little-endian uint32 header length, the header (UTF-8 JSON
 * `[[path, bytes], ...]`), then the files' bytes in that order.
 */

const MAGIC = [0x44, 0x45, 0x42, 0x31]; // "DEB1"
const PREAMBLE_BYTES = 8;

/** The bundle is malformed: cut short, another format, or a header that does not describe its bytes. */
export class BundleFormatError extends Error {
  override readonly name = 'BundleFormatError';
}

/** One object holding `files` (path → bytes), in the given order. */
export function encodeModelBundle(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const header = new TextEncoder().encode(
    JSON.stringify([...files].map(([path, b]) => [path, b.byteLength])),
  );
  let total = PREAMBLE_BYTES + header.byteLength;
  for (const bytes of files.values()) total += bytes.byteLength;
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, header.byteLength, true);
  out.set(header, PREAMBLE_BYTES);
  let offset = PREAMBLE_BYTES + header.byteLength;
  for (const bytes of files.values()) {
    out.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return out;
}

/** The files of a bundle (views into `bytes`, no copies); BundleFormatError when it is malformed. */
export function decodeModelBundle(bytes: Uint8Array): Map<string, Uint8Array> {
  if (bytes.byteLength < PREAMBLE_BYTES || MAGIC.some((byte, i) => bytes[i] !== byte))
    throw new BundleFormatError('not a model bundle (no DEB1 preamble)');
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  const headerEnd = PREAMBLE_BYTES + headerBytes;
  if (headerEnd > bytes.byteLength) throw new BundleFormatError('the bundle is cut short in its header');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(PREAMBLE_BYTES, headerEnd)));
  } catch {
    throw new BundleFormatError('the bundle header is not JSON');
  }
  const valid =
    Array.isArray(header) &&
    header.every(
      (entry) =>
        Array.isArray(entry) &&
        typeof entry[0] === 'string' &&
        Number.isSafeInteger(entry[1]) &&
        (entry[1] as number) >= 0,
    );
  if (!valid) throw new BundleFormatError('the bundle header is not a list of [path, bytes]');
  const files = new Map<string, Uint8Array>();
  let offset = headerEnd;
  for (const [path, length] of header as [string, number][]) {
    if (files.has(path)) throw new BundleFormatError(`the bundle lists ${path} twice`);
    files.set(path, bytes.subarray(offset, offset + length));
    offset += length;
  }
  if (offset !== bytes.byteLength)
    throw new BundleFormatError(`the bundle holds ${bytes.byteLength} bytes, its header describes ${offset}`);
  return files;
}
