/**
 * Conv2DBackpropFilter for the wasm backend, which 4.22 lacks (so `fit` fails without it).
 *
 * The filter gradient dW[ky,kx,ci,co] = Σ_b,oy,ox x[b, oy·s+ky−pt, ox·s+kx−pl, ci] · dy[b,oy,ox,co] is itself
 * a convolution: treat input channels as the batch and the batch as input channels, i.e. convolve
 * xᵀ [ci,H,W,B] with dyᵀ [oh,ow,B,co] dilated by the forward stride. XNNPACK then does the heavy lifting.
 */
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type Conv2DBackpropFilterInputs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  type BackendWasm,
  convolveOnWasm,
  disposeAll,
  heapFloats,
  requireInput,
  runWasmKernel,
} from './wasm-kernel-utils.ts';

function conv2dBackpropFilterWasm(
  args: { inputs: Conv2DBackpropFilterInputs; backend: BackendWasm; attrs: Conv2DBackpropFilterAttrs },
  gatherPatchesWhenSmall = true,
): TensorInfo {
  const { inputs, backend, attrs } = args;
  const x = requireInput(inputs.x, 'x');
  const dy = requireInput(inputs.dy, 'dy');
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (backend_util.convertConv2DDataFormat(dataFormat) !== 'channelsLast') {
    throw new Error('Conv2DBackpropFilter on wasm supports channelsLast only');
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inHeight, inWidth } =
    info;
  const { top, left } = info.padInfo;

  if (gatherPatchesWhenSmall && filterHeight * filterWidth * info.inChannels <= MAX_PATCH_SIZE) {
    return filterGradientFromPatches(backend, x, dy, info);
  }

  // Padding after the input so that exactly filterHeight × filterWidth outputs come out; negative means the
  // forward pass never read the last rows/columns, so crop them instead.
  let bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  let right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;
  const temporaries: TensorInfo[] = [];
  let source = x;
  if (bottom < 0 || right < 0) {
    source = runWasmKernel(
      'Slice',
      backend,
      { x },
      {
        begin: [0, 0, 0, 0],
        size: [
          x.shape[0] ?? 0,
          inHeight + Math.min(bottom, 0),
          inWidth + Math.min(right, 0),
          x.shape[3] ?? 0,
        ],
      },
    );
    temporaries.push(source);
    bottom = Math.max(bottom, 0);
    right = Math.max(right, 0);
  }

  const channelsAsBatch = runWasmKernel('Transpose', backend, { x: source }, { perm: [3, 1, 2, 0] });
  const batchAsChannels = runWasmKernel('Transpose', backend, { x: dy }, { perm: [1, 2, 0, 3] });
  const gradient = convolveOnWasm(
    backend,
    channelsAsBatch,
    batchAsChannels,
    { top: top, bottom: bottom, left: left, right: right },
    [strideHeight, strideWidth],
  );
  const result = runWasmKernel('Transpose', backend, { x: gradient }, { perm: [1, 2, 0, 3] });
  disposeAll(backend, channelsAsBatch, batchAsChannels, gradient, ...temporaries);
  return result;
}

/** Pure: target [columns, rows] = source [rows, columns]ᵀ, in blocks of rows that stay in cache. */
function transposeRows(source: Float32Array, target: Float32Array, rows: number, columns: number): void {
  const block = 256;
  for (let start = 0; start < rows; start += block) {
    const end = Math.min(rows, start + block);
    for (let c = 0; c < columns; c++) {
      const to = c * rows;
      for (let r = start; r < end; r++) target[to + r] = source[r * columns + c] as number;
    }
  }
}

/** Above this many values per patch (filter area × input channels), the patch matrix gets too big. */
const MAX_PATCH_SIZE = 64;

/**
 * For layers with few input channels (the first layer: a 3×3 window over one channel): gather the input
 * patches P [N, fh·fw·ci] (N = batch × output positions) in plain JS, then dW = dyᵀ · P as a 1×1
 * convolution of dyᵀ [co, N] with P, so XNNPACK only packs the small patch matrix, not dy.
 */
function filterGradientFromPatches(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, inChannels, outChannels } = info;
  const { strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const batch = x.shape[0] ?? 0;
  const positions = batch * outHeight * outWidth;
  const patchSize = filterHeight * filterWidth * inChannels;

  const patches = backend.makeOutput([1, 1, positions, patchSize], 'float32');
  const patchValues = heapFloats(backend, patches);
  const input = heapFloats(backend, x);
  let n = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, n++) {
        let k = n * patchSize;
        for (let ky = 0; ky < filterHeight; ky++) {
          const y = oy * strideHeight - top + ky;
          for (let kx = 0; kx < filterWidth; kx++) {
            const xPos = ox * strideWidth - left + kx;
            const inside = y >= 0 && y < inHeight && xPos >= 0 && xPos < inWidth;
            const from = ((b * inHeight + y) * inWidth + xPos) * inChannels;
            for (let c = 0; c < inChannels; c++, k++)
              patchValues[k] = inside ? (input[from + c] as number) : 0;
          }
        }
      }
    }
  }
  // dyᵀ [co, N], transposed here in cache-sized blocks: the stock Transpose kernel is several times slower.
  const asRows = backend.makeOutput([1, 1, outChannels, positions], 'float32');
  transposeRows(heapFloats(backend, dy), heapFloats(backend, asRows), positions, outChannels);
  const product = convolveOnWasm(backend, asRows, patches, { top: 0, bottom: 0, left: 0, right: 0 });
  // product[co, (ky·fw + kx)·ci + c] → dW[ky, kx, c, co]
  const source = heapFloats(backend, product);
  const result = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  const target = heapFloats(backend, result);
  for (let co = 0; co < outChannels; co++) {
    for (let k = 0; k < patchSize; k++) target[k * outChannels + co] = source[co * patchSize + k] as number;
  }
  disposeAll(backend, patches, asRows, product);
  return result;
}

/** `gatherPatchesWhenSmall: false` gives the first, plain version: the baseline of `npm run bench:train`. */
export function makeConv2dBackpropFilterConfig({ gatherPatchesWhenSmall = true } = {}): KernelConfig {
  return {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ((args: Parameters<typeof conv2dBackpropFilterWasm>[0]) =>
      conv2dBackpropFilterWasm(args, gatherPatchesWhenSmall)) as unknown as KernelFunc,
  };
}
