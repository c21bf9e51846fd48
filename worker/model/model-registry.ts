/**
 * Which model answers a request, per isolate: follows the `models/current.json` pointer (re-read at most
 * every `refreshSeconds`), loads a newly published version in the background while the current one keeps
 * answering, and switches between requests. Refused versions are remembered and reported; a small LRU
 * cache holds versions pinned with `?version=`.
 */

import {
  CURRENT_BUNDLE_KEY,
  CURRENT_POINTER_KEY,
  type CurrentPointer,
  CurrentPointerSchema,
  parseJsonAs,
} from '../../core/manifest.ts';
import { logEvent } from '../log.ts';
import { TimeoutError } from '../timeout.ts';
import {
  type LoadedModel,
  type LoadModel,
  type LoadOptions,
  loadModelFromR2,
  ModelVersionNotFoundError,
  R2_READ_TIMEOUT_MS,
  readR2Bytes,
} from './load-model.ts';
import { ModelVerificationError } from './verify-weights.ts';

export interface ModelRegistryOptions {
  readonly bucket: R2Bucket;
  readonly refreshSeconds: number;
  /** Loaded versions kept at most, the current one included. */
  readonly cacheSize?: number;
  /** Starts the inference runtime (tfjs wasm) before the first load; retried after a failure. */
  readonly startRuntime: () => Promise<void>;
  /** Where the runtime's start spent its time, for the cold-start log line (default: nothing). */
  readonly runtimeStartTimings?: () => unknown;
  /**
   * Default loadModelFromR2; tests inject failures. It gets the runtime's start in its options and must
   * await it before it builds tensors (the files are read while the runtime starts).
   */
  readonly loadModel?: LoadModel;
  /** Per R2 object read, the pointer included (default R2_READ_TIMEOUT_MS). */
  readonly readTimeoutMs?: number;
}

/**
 * What went wrong, in stable words for the public health answer. The storage layer's own text goes to
 * the operator log only.
 */
export type FailureCode =
  | 'runtime_start_failed'
  | 'no_model_published'
  | 'pointer_invalid'
  | 'version_not_found'
  | 'version_refused'
  | 'storage_timeout'
  | 'storage_error';

export interface LoadFailure {
  readonly code: FailureCode;
  readonly version: string | null;
  readonly at: string;
}

const FAILURE_WORDS: Record<FailureCode, string> = {
  runtime_start_failed: 'the inference runtime failed to start',
  no_model_published: 'no model version is published yet',
  pointer_invalid: 'the current-model pointer is invalid',
  version_not_found: 'the published pointer names a version that does not exist',
  version_refused: 'the published version failed verification',
  storage_timeout: 'model storage did not answer in time',
  storage_error: 'model storage could not be read',
};

/** No version can serve: the API answers 503 (with Retry-After) and the next request tries again. */
export class NoModelAvailableError extends Error {
  override readonly name = 'NoModelAvailableError';
  constructor(readonly code: FailureCode) {
    super(`No model is available: ${FAILURE_WORDS[code]} (${code}).`);
  }
}

const storageFailure = (error: unknown): FailureCode =>
  error instanceof TimeoutError ? 'storage_timeout' : 'storage_error';

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
  readonly #startRuntime: () => Promise<void>;
  readonly #runtimeStartTimings: () => unknown;
  readonly #loadModel: LoadModel;
  readonly #readTimeoutMs: number;
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
  /** The runtime's start, shared by the loads that overlap it; forgotten when it fails. */
  #runtime: Promise<void> | null = null;
  /** ms from the first pointer check of a cold isolate to the model it switched to (then null). */
  #coldStarted: number | null = null;

  constructor(options: ModelRegistryOptions) {
    this.#bucket = options.bucket;
    this.#startRuntime = options.startRuntime;
    this.#runtimeStartTimings = options.runtimeStartTimings ?? (() => null);
    this.#loadModel = options.loadModel ?? loadModelFromR2;
    this.#readTimeoutMs = options.readTimeoutMs ?? R2_READ_TIMEOUT_MS;
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
    if (this.#current === null)
      throw new NoModelAvailableError(this.#lastFailure?.code ?? 'no_model_published');
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
    return this.#load(version, false);
  }

  async #refresh(): Promise<void> {
    this.#checkedAt = Date.now();
    let pointer: CurrentPointer | null;
    let bundle: Promise<Uint8Array | null> | undefined;
    if (this.#current === null) {
      // Cold: the runtime starts while the pointer and the current bundle (the model in one object) are
      // read, so a model is one round of reads away. A bundle that cannot be read just means the files.
      // Once a version has failed to load, every request looks again: those looks read the pointer alone,
      // not the bundle's 200 KB more each time (a missing or unreadable pointer names no version: it does
      // not count).
      this.#coldStarted ??= performance.now();
      this.#runtimeStart();
      if (this.#lastFailure?.version == null)
        bundle = readR2Bytes(this.#bucket, CURRENT_BUNDLE_KEY, this.#readTimeoutMs).catch(() => null);
    }
    const pointerStarted = performance.now();
    try {
      pointer = await this.#readPointer();
    } catch (error) {
      const code = error instanceof PointerError ? 'pointer_invalid' : storageFailure(error);
      this.#fail(code, null, `cannot read ${CURRENT_POINTER_KEY}`, error);
      return;
    }
    const pointerRead = performance.now();
    this.#pointer = pointer;
    if (pointer === null) {
      if (this.#current === null)
        this.#fail('no_model_published', null, `${CURRENT_POINTER_KEY} does not exist`);
      return;
    }
    if (pointer.version === this.#current?.version || this.#refused.has(pointer.version)) return;
    try {
      const { manifestSha256 } = pointer;
      const current = bundle && manifestSha256 ? { bundle, manifestSha256 } : undefined;
      const loaded = await this.#load(pointer.version, true, current);
      // Switch only if the pointer has not moved on while this version loaded.
      if (this.#pointer?.version === loaded.version) {
        const cold = this.#current === null && this.#coldStarted !== null;
        this.#current = loaded;
        this.#lastFailure = null;
        logEvent('info', 'model_switched', {
          version: loaded.version,
          publishedAt: pointer.publishedAt,
          // Where the time went (ms): the pointer read, the load's steps and, on a cold isolate, the
          // runtime's start (which ran alongside the reads) and the whole way to a usable model.
          timings: {
            pointerMs: pointerRead - pointerStarted,
            ...loaded.timings,
            ...(cold
              ? { runtime: this.#runtimeStartTimings(), coldMs: performance.now() - (this.#coldStarted ?? 0) }
              : {}),
          },
        });
        this.#coldStarted = null;
      }
    } catch (error) {
      // #load has recorded refusals and read errors; the previous model keeps serving either way.
      if (error instanceof ModelVersionNotFoundError)
        this.#fail('version_not_found', pointer.version, 'the pointer names a missing version', error);
    }
  }

  async #readPointer(): Promise<CurrentPointer | null> {
    const bytes = await readR2Bytes(this.#bucket, CURRENT_POINTER_KEY, this.#readTimeoutMs);
    if (bytes === null) return null;
    const parsed = parseJsonAs(CurrentPointerSchema, new TextDecoder().decode(bytes));
    if (!parsed.ok) throw new PointerError(`the pointer ${parsed.problem}`);
    return parsed.value;
  }

  /** `readAhead`: the version is known to exist (LoadOptions.readAhead); `current`: LoadOptions.current. */
  #load(version: string, readAhead: boolean, current?: LoadOptions['current']): Promise<LoadedModel> {
    let loading = this.#loading.get(version);
    if (loading === undefined) {
      loading = this.#startAndLoad(version, { readAhead, ...(current ? { current } : {}) })
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
          if (error instanceof NoModelAvailableError) throw error;
          const code = storageFailure(error);
          this.#fail(code, version, `cannot read model ${version}`, error);
          throw new NoModelAvailableError(code);
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

  /** Starts the runtime once for all loads; a failed start is retried by the next load. */
  #runtimeStart(): Promise<void> {
    if (this.#runtime === null) {
      this.#runtime = this.#startRuntime();
      // Observed by the load that awaits it; a cold pointer check may start it with no load to follow.
      this.#runtime.catch(() => {});
    }
    return this.#runtime;
  }

  /**
   * The version read and verified while the runtime starts (both are needed only to build the tensors);
   * a failed start answers 503 and is retried by the next load.
   */
  async #startAndLoad(
    version: string,
    options: Pick<LoadOptions, 'readAhead' | 'current'>,
  ): Promise<LoadedModel> {
    const starting = this.#runtimeStart();
    const runtime = starting.catch((error: unknown) => {
      if (this.#runtime === starting) this.#runtime = null;
      this.#fail('runtime_start_failed', version, 'the tfjs wasm backend did not start', error);
      throw new NoModelAvailableError('runtime_start_failed');
    });
    runtime.catch(() => {}); // rejected loads report the first failure; the other is handled here
    const [loaded] = await Promise.all([
      this.#loadModel(this.#bucket, version, { readTimeoutMs: this.#readTimeoutMs, runtime, ...options }),
      runtime,
    ]);
    return loaded;
  }

  #refuse(version: string, reason: string): void {
    this.#refused.set(version, reason);
    if (this.#refused.size > REMEMBERED_REFUSALS)
      this.#refused.delete(this.#refused.keys().next().value as string);
    this.#fail('version_refused', version, reason);
  }

  /** Records the failure for /api/health (stable code) and logs the detail for operators. */
  #fail(code: FailureCode, version: string | null, message: string, cause?: unknown): void {
    this.#lastFailure = { code, version, at: new Date().toISOString() };
    logEvent('error', 'model_unavailable', { code, version, message, ...(cause ? { cause } : {}) });
  }
}

/** The pointer object exists but does not name a version. */
class PointerError extends Error {
  override readonly name = 'PointerError';
}
