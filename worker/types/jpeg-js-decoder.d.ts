// jpeg-js's decoder on its own: the package index also loads its encoder (7.5 KB minified), which the
// Worker never runs. The same function as jpeg-js's `decode`.
declare module 'jpeg-js/lib/decoder.js' {
  import type { decode } from 'jpeg-js';

  const decodeJpeg: typeof decode;
  export default decodeJpeg;
}
