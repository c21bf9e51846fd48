/**
 * Which model answers a request, per isolate: follows the `models/current.json` pointer (re-read at most
 * every `refreshSeconds`), loads a newly published version in the background while the current one keeps
 * answering, and switches between requests. Refused versions are remembered and reported; a small LRU
 * cache holds versions pinned with `?version=`.
 */

import {
  CURRENT_POINTER_KEY,
  type CurrentPointer,
  CurrentPointerSchema,
  parseJsonAs,
} from '../../core/manifest.ts';
import { type LoadedModel, loadModelFromR2, ModelVersionNotFoundError } from './load-model.ts';
import { ModelVerificationError } from './verify-weights.ts';

export interface ModelRegistryOptions {
  readonly bucket: R2Bucket;
  readonly refreshSeconds: number;
  /** Loaded versions kept at most, the current one included. */
  readonly cacheSize?: number;
}

export interface LoadFailure {
  readonly version: string | null;
  readonly reason: string;
  readonly at: string;
}

/** No version could be loaded: the API answers 503 until one is published. */
export class NoModelAvailableError extends Error {
  override readonly name = 'NoModelAvailableError';
}

/** A version exists but failed verification; it is never retried (versions are immutable). */
export class ModelRefusedError extends Error {
  override readonly name = 'ModelRefusedError';
  constructor(
    readonly version: string,
    readonly reason: string,
  ) {
    super(`model version ${version} was refused: ${reason}`);
  }
}

export interface RegistryStatus {
  readonly current: LoadedModel | null;
  readonly pointer: CurrentPointer | null;
  readonly lastFailure: LoadFailure | null;
  readonly cachedVersions: readonly string[];
}

const REMEMBERED_REFUSALS = 32;

export class ModelRegistry {
  readonly #bucket: R2Bucket;
  readonly #refreshMs: number;
  readonly #cacheSize: number;
  #current: LoadedModel | null = null;
  #pointer: CurrentPointer | null = null;
  #checkedAt = Number.NEGATIVE_INFINITY;
  #refreshing: Promise<void> | null = null;
  #lastFailure: LoadFailure | null = null;
  readonly #cache = new Map<string, LoadedModel>();
  readonly #loading = new Map<string, Promise<LoadedModel>>();
  readonly #refused = new Map<string, string>();

  constructor(options: ModelRegistryOptions) {
    this.#bucket = options.bucket;
    this.#refreshMs = Math.max(0, options.refreshSeconds) * 1000;
    this.#cacheSize = Math.max(1, options.cacheSize ?? 3);
  }

  get refreshSeconds(): number {
    return this.#refreshMs / 1000;
  }

  status(): RegistryStatus {
    return {
      current: this.#current,
      pointer: this.#pointer,
      lastFailure: this.#lastFailure,
      cachedVersions: [...this.#cache.keys()],
    };
  }

  /**
   * Runs `use` synchronously on the model for this request: the pinned version, or the current one. A
   * due pointer check runs in the background (kept alive by `waitUntil`) unless there is no model yet.
   */
  async run<T>(
    pin: string | undefined,
    waitUntil: (promise: Promise<unknown>) => void,
    use: (model: LoadedModel) => T,
  ): Promise<T> {
    // A model evicted between resolving and running is simply resolved again.
    for (;;) {
      const loaded = pin === undefined ? await this.current(waitUntil) : await this.pinned(pin);
      if (!loaded.model.disposed) return use(loaded);
    }
  }

  /** The model that answers unpinned requests; throws NoModelAvailableError when there is none. */
  async current(waitUntil: (promise: Promise<unknown>) => void): Promise<LoadedModel> {
    // With no model, every request looks again (one check at a time) so recovery is immediate.
    const due = this.#current === null || Date.now() - this.#checkedAt >= this.#refreshMs;
    if (due) {
      this.#refreshing ??= this.#refresh().finally(() => {
        this.#refreshing = null;
      });
      if (this.#current === null) await this.#refreshing;
      else waitUntil(this.#refreshing);
    }
    if (this.#current === null) {
      throw new NoModelAvailableError(this.#lastFailure?.reason ?? 'no model version is published yet');
    }
    return this.#current;
  }

  /** A published version by name: ModelVersionNotFoundError or ModelRefusedError when unusable. */
  async pinned(version: string): Promise<LoadedModel> {
    const cached = this.#cache.get(version);
    if (cached !== undefined) {
      this.#cache.delete(version);
      this.#cache.set(version, cached);
      return cached;
    }
    const refusal = this.#refused.get(version);
    if (refusal !== undefined) throw new ModelRefusedError(version, refusal);
    return this.#load(version);
  }

  async #refresh(): Promise<void> {
    this.#checkedAt = Date.now();
    let pointer: CurrentPointer | null;
    try {
      pointer = await this.#readPointer();
    } catch (error) {
      this.#fail(null, `cannot read ${CURRENT_POINTER_KEY}: ${messageOf(error)}`);
      return;
    }
    this.#pointer = pointer;
    if (pointer === null) {
      if (this.#current === null)
        this.#fail(null, `${CURRENT_POINTER_KEY} does not exist: no model is published yet`);
      return;
    }
    if (pointer.version === this.#current?.version || this.#refused.has(pointer.version)) return;
    try {
      const loaded = await this.#load(pointer.version);
      // Switch only if the pointer has not moved on while this version loaded.
      if (this.#pointer?.version === loaded.version) {
        this.#current = loaded;
        this.#lastFailure = null;
        console.log(`model ${loaded.version} now serves (published ${pointer.publishedAt})`);
      }
    } catch (error) {
      // #load has recorded refusals and read errors; the previous model keeps serving either way.
      if (error instanceof ModelVersionNotFoundError)
        this.#fail(pointer.version, `the pointer names ${error.message}`);
    }
  }

  async #readPointer(): Promise<CurrentPointer | null> {
    const object = await this.#bucket.get(CURRENT_POINTER_KEY);
    if (object === null) return null;
    const parsed = parseJsonAs(CurrentPointerSchema, await object.text());
    if (!parsed.ok) throw new Error(`the pointer ${parsed.problem}`);
    return parsed.value;
  }

  #load(version: string): Promise<LoadedModel> {
    let loading = this.#loading.get(version);
    if (loading === undefined) {
      loading = loadModelFromR2(this.#bucket, version)
        .then((loaded) => {
          this.#remember(loaded);
          return loaded;
        })
        .catch((error: unknown) => {
          if (error instanceof ModelVerificationError) {
            this.#refuse(version, error.message);
            throw new ModelRefusedError(version, error.message);
          }
          // Not found is the caller's business (a 404 for a pin; the pointer check records it itself).
          if (error instanceof ModelVersionNotFoundError) throw error;
          this.#fail(version, `cannot read model ${version}: ${messageOf(error)}`);
          throw error;
        })
        .finally(() => this.#loading.delete(version));
      this.#loading.set(version, loading);
    }
    return loading;
  }

  #remember(loaded: LoadedModel): void {
    this.#cache.set(loaded.version, loaded);
    for (const [version, model] of this.#cache) {
      if (this.#cache.size <= this.#cacheSize) break;
      if (model === this.#current || version === this.#pointer?.version) continue;
      this.#cache.delete(version);
      model.model.dispose();
    }
  }

  #refuse(version: string, reason: string): void {
    this.#refused.set(version, reason);
    if (this.#refused.size > REMEMBERED_REFUSALS)
      this.#refused.delete(this.#refused.keys().next().value as string);
    this.#fail(version, reason);
  }

  #fail(version: string | null, reason: string): void {
    this.#lastFailure = { version, reason, at: new Date().toISOString() };
    console.error(`model ${version ?? '(pointer)'} refused or unavailable: ${reason}`);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
