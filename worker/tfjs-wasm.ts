/**
 * tfjs's wasm backend for Workers, pinned to @tensorflow/tfjs-backend-wasm 4.22.0.
 *
 * Workers may not compile WebAssembly from bytes at run time, and the stock `init()` fetches the `.wasm`
 * (and hangs forever when that fetch fails). Instead wrangler bundles the SIMD binary as a precompiled
 * `WebAssembly.Module`; we hand it to the package's emscripten factory through its `instantiateWasm` hook
 * and add the same `cwrap`s as the stock `init()` in `dist/backend_wasm.js`, then register the result as
 * the `wasm` backend with only the kernels the served model runs (worker/tfjs-kernels.ts). Re-check this file against
 * `dist/backend_wasm.js` when upgrading tfjs.
 */

// The backend class without the package index, which would register every kernel it has.
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm/dist/backend_wasm.js';
import simdModule from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import type { BackendWasmModule } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm';
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import * as tf from '@tensorflow/tfjs-core';
import { registerServedKernels } from './tfjs-kernels.ts';
import { withTimeout } from './timeout.ts';

const BACKEND = 'wasm';

type Imports = WebAssembly.Imports;
type Done = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

/** How the compiled binary becomes an instance; tests inject a failing one. */
export type InstantiateWasm = (module: WebAssembly.Module, imports: Imports) => Promise<WebAssembly.Instance>;

/** A stuck start must not hold every request of the isolate: it fails and the next request tries again. */
const START_TIMEOUT_MS = 10_000;

/** The backend's emscripten module on `instantiate`: rejects, instead of hanging, when that fails. */
export function createWasmModule(instantiate: InstantiateWasm): Promise<BackendWasmModule> {
  // emscripten only logs a failed instantiation and its promise never settles, so the failure is
  // routed to this promise's reject instead.
  return new Promise<BackendWasmModule>((resolve, reject) => {
    wasmFactory({
      // emscripten calls this instead of fetching and compiling the binary itself.
      instantiateWasm: (imports: Imports, done: Done) => {
        instantiate(simdModule, imports).then((instance) => done(instance, simdModule), reject);
        return {};
      },
    }).then(resolve, reject);
  }).then((module) => {
    // Exactly what the stock init() adds (tfjs-backend-wasm 4.22 dist/backend_wasm.js).
    const emscripten = module as BackendWasmModule & {
      cwrap: (name: string, returns: string | null, args: string[]) => (...args: number[]) => number;
    };
    module.tfjs = {
      init: emscripten.cwrap('init', null, []),
      initWithThreadsCount: emscripten.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: emscripten.cwrap('get_threads_count', 'number', []),
      registerTensor: emscripten.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: emscripten.cwrap('dispose_data', null, ['number']),
      dispose: emscripten.cwrap('dispose', null, []),
    };
    return module;
  });
}

/**
 * Where the last successful start's time went, in ms (performance.now(), which on Cloudflare advances only
 * across I/O, so there the pure-CPU parts may read 0): `instantiateMs` the runtime's
 * `WebAssembly.instantiate` of the bundled module; `wasmModuleMs` the emscripten module in all (its glue,
 * the instantiation, its start-up); `backendMs` tfjs's backend on top (BackendWasm, kernel set-up,
 * `tf.ready`); `totalMs` the whole start.
 */
export interface TfjsStartTimings {
  readonly instantiateMs: number;
  readonly wasmModuleMs: number;
  readonly backendMs: number;
  readonly totalMs: number;
}

let lastStart: TfjsStartTimings | null = null;

/** The timings of this isolate's tfjs start, or null before it has started. */
export const tfjsStartTimings = (): TfjsStartTimings | null => lastStart;

/** Thrown when the wasm backend does not start; the request answers 503 and the next one retries. */
export class RuntimeStartError extends Error {
  override readonly name = 'RuntimeStartError';
}

/** Starts tfjs on the wasm backend once (see createTfjsStarter). */
export interface TfjsStarter {
  (): Promise<void>;
  /**
   * Starts it now with no timer, for the script's global scope (which allows no timers and no I/O, and
   * needs neither: the binary is compiled and is instantiated synchronously). The next call of the
   * starter itself waits for this start, under its timeout.
   */
  early(): Promise<void>;
}

/**
 * A function that starts tfjs on the wasm backend once: concurrent callers share one promise, and a
 * failed or timed-out start is forgotten so the next call tries again.
 *
 * @example
 * const start = createTfjsStarter((module, imports) => WebAssembly.instantiate(module, imports));
 * await start();
 */
function createTfjsStarter(instantiate: InstantiateWasm): TfjsStarter {
  let ready: Promise<void> | undefined;
  let early: Promise<void> | undefined;
  const start = async (): Promise<void> => {
    const started = performance.now();
    let instantiateMs = 0;
    let moduleReady = started;
    const timedInstantiate: InstantiateWasm = async (module, imports) => {
      const instantiating = performance.now();
      try {
        return await instantiate(module, imports);
      } finally {
        instantiateMs = performance.now() - instantiating;
      }
    };
    registerServedKernels();
    if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
    let failure: unknown;
    tf.registerBackend(
      BACKEND,
      async () => {
        try {
          const module = await createWasmModule(timedInstantiate);
          moduleReady = performance.now();
          return new BackendWasm(module);
        } catch (error) {
          failure = error;
          throw error;
        }
      },
      10,
    );
    // tfjs turns a failed backend factory into `false` (and a console warning): keep the cause.
    if (!(await tf.setBackend(BACKEND))) {
      throw new RuntimeStartError(`tfjs could not start its wasm backend: ${messageOf(failure)}`);
    }
    await tf.ready();
    const ended = performance.now();
    lastStart = {
      instantiateMs,
      wasmModuleMs: moduleReady - started,
      backendMs: ended - moduleReady,
      totalMs: ended - started,
    };
  };
  const startTfjs = (): Promise<void> => {
    ready ??= withTimeout(early ?? start(), START_TIMEOUT_MS, 'starting the tfjs wasm backend').catch(
      (error: unknown) => {
        ready = undefined;
        early = undefined;
        throw error instanceof RuntimeStartError ? error : new RuntimeStartError(messageOf(error));
      },
    );
    return ready;
  };
  startTfjs.early = (): Promise<void> => {
    if (ready !== undefined) return ready;
    if (early === undefined) {
      const attempt = start();
      early = attempt;
      // A failed early start is forgotten, so the first request starts afresh instead of inheriting it.
      attempt.catch(() => {
        if (early === attempt) early = undefined;
      });
    }
    return early;
  };
  return startTfjs;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The Worker's tfjs start: the bundled SIMD binary, instantiated synchronously (a compiled module's
 * instance needs no background task, so the start can finish within the script's global scope).
 */
export const readyTfjs = createTfjsStarter(
  async (module, imports) => new WebAssembly.Instance(module, imports),
);
