/** One sha256 for everyone: WebCrypto runs the same in Node, workerd and the browser. */

/**
 * Lower-case hex sha256 of `data` (strings are hashed as UTF-8).
 *
 * @example await sha256Hex('abc') // 'ba7816bf…'
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  // WebCrypto takes views of an ArrayBuffer only: a view of a SharedArrayBuffer is copied first.
  const bytes =
    typeof data === 'string'
      ? new TextEncoder().encode(data)
      : data.buffer instanceof ArrayBuffer
        ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
        : new Uint8Array(data);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
