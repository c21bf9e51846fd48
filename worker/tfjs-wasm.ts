/**
 * tfjs's wasm backend for Workers, pinned to @tensorflow/tfjs-backend-wasm 4.22.0.
 *
 * Workers may not compile WebAssembly from bytes at run time, and the stock `init()` fetches the `.wasm`
 * (and hangs forever when that fetch fails). Instead wrangler bundles the SIMD binary as a precompiled
 * `WebAssembly.Module`; we hand it to the package's emscripten factory through its `instantiateWasm` hook
 * and add the same `cwrap`s as the stock `init()` in `dist/backend_wasm.js`, then register the result as
 * the `wasm` backend (the package's kernels are registered under that name). Re-check this file against
 * `dist/backend_wasm.js` when upgrading tfjs.
 */

import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import simdModule from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm';
import type { BackendWasmModule } from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm';
import wasmFactory from '@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm.js';
import * as tf from '@tensorflow/tfjs-core';

const BACKEND = 'wasm';

type Imports = WebAssembly.Imports;
type Done = (instance: WebAssembly.Instance, module: WebAssembly.Module) => void;

async function createWasmModule(): Promise<BackendWasmModule> {
  const module = await wasmFactory({
    // emscripten calls this instead of fetching and compiling the binary itself.
    instantiateWasm: (imports: Imports, done: Done) => {
      WebAssembly.instantiate(simdModule, imports).then(
        (instance) => done(instance, simdModule),
        (error: unknown) => console.error('tfjs wasm: instantiate failed', error),
      );
      return {};
    },
  });
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
}

let ready: Promise<void> | undefined;

/**
 * Starts tfjs on the wasm backend, once per isolate: concurrent callers share one promise, and a failed
 * start is forgotten so the next request tries again.
 */
export function readyTfjs(): Promise<void> {
  ready ??= (async () => {
    if (tf.findBackendFactory(BACKEND)) tf.removeBackend(BACKEND);
    tf.registerBackend(BACKEND, async () => new BackendWasm(await createWasmModule()), 10);
    if (!(await tf.setBackend(BACKEND))) throw new Error('tfjs could not start its wasm backend');
    await tf.ready();
  })().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}
