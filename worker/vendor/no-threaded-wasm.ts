/**
 * Stands in for tfjs-backend-wasm's threaded emscripten glue (`wasm-out/tfjs-backend-wasm-threaded-simd.js`
 * and its `.worker.js`, 36 KB minified) in the Worker bundle: wrangler.toml's `[alias]` maps the two
 * relative imports of `dist/backend_wasm.js` here. Only that file's stock `init()` reads them, when the
 * platform has Web Workers and SharedArrayBuffer; workerd has neither, and worker/tfjs-wasm.ts starts the
 * backend with the single-threaded glue itself. test/unit/bundle-aliases.test.ts checks the
 * aliases against that file.
 */

function threadedGlueAbsent(): never {
  throw new Error('the threaded tfjs-backend-wasm glue is not bundled in the Worker');
}

export default threadedGlueAbsent;
export const wasmWorkerContents = '';
