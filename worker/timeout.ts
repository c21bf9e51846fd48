/** A deadline for calls that could otherwise wait forever (storage reads, the wasm start). */

export class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Settles like `work`, or rejects with TimeoutError after `ms`. The work itself is not cancelled (R2 has
 * no abort signal); its late result is ignored.
 *
 * @example
 * const object = await withTimeout(bucket.get(key), 5000, `R2 get ${key}`);
 */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
