/**
 * MaxPoolGrad for the wasm backend: the stock 4.22 kernel is slow. This one finds each window's maximum
 * (the first one in row-major order, as the cpu backend does) for all channels at once over the wasm heap,
 * then routes dy to it.
 */
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type MaxPoolGradInputs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { type BackendWasm, heapFloats, requireInput } from './wasm-kernel-utils.ts';

interface PoolGeometry {
  batch: number;
  channels: number;
  inHeight: number;
  inWidth: number;
  outHeight: number;
  outWidth: number;
  strideHeight: number;
  strideWidth: number;
  filterHeight: number;
  filterWidth: number;
  padTop: number;
  padLeft: number;
}

/** Pure: accumulates into dx (zeroed by the caller) the gradient of max-pooling x. */
function maxPoolBackprop(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  const { channels } = g;
  const best = new Float32Array(channels);
  const bestIndex = new Int32Array(channels);
  for (let b = 0; b < g.batch; b++) {
    const imageBase = b * g.inHeight * g.inWidth * channels;
    for (let oy = 0; oy < g.outHeight; oy++) {
      for (let ox = 0; ox < g.outWidth; ox++) {
        best.fill(Number.NEGATIVE_INFINITY);
        bestIndex.fill(-1);
        for (let ky = 0; ky < g.filterHeight; ky++) {
          const y = oy * g.strideHeight - g.padTop + ky;
          if (y < 0 || y >= g.inHeight) continue;
          for (let kx = 0; kx < g.filterWidth; kx++) {
            const xPos = ox * g.strideWidth - g.padLeft + kx;
            if (xPos < 0 || xPos >= g.inWidth) continue;
            const base = imageBase + (y * g.inWidth + xPos) * channels;
            for (let c = 0; c < channels; c++) {
              const value = x[base + c] as number;
              if (value > (best[c] as number) || bestIndex[c] === -1) {
                best[c] = value;
                bestIndex[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * g.outHeight + oy) * g.outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) {
          const index = bestIndex[c] as number;
          if (index >= 0) dx[index] = (dx[index] as number) + (dy[dyBase + c] as number);
        }
      }
    }
  }
}

export function makeMaxPoolGradConfig(stock: KernelFunc | undefined): KernelConfig {
  const maxPoolGradWasm = (args: {
    inputs: MaxPoolGradInputs;
    backend: BackendWasm;
    attrs: MaxPoolGradAttrs;
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const dy = requireInput(inputs.dy, 'dy');
    const input = requireInput(inputs.input, 'input');
    const { filterSize, strides, pad, dimRoundingMode } = attrs;
    const info = backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    if (input.dtype !== 'float32') {
      if (!stock) throw new Error('MaxPoolGrad: unsupported dtype');
      return stock(args as never) as TensorInfo;
    }
    const dx = backend.makeOutput(input.shape, 'float32');
    const gradient = heapFloats(backend, dx);
    gradient.fill(0);
    maxPoolBackprop(heapFloats(backend, input), heapFloats(backend, dy), gradient, {
      batch: info.batchSize,
      channels: info.inChannels,
      inHeight: info.inHeight,
      inWidth: info.inWidth,
      outHeight: info.outHeight,
      outWidth: info.outWidth,
      strideHeight: info.strideHeight,
      strideWidth: info.strideWidth,
      filterHeight: info.effectiveFilterHeight,
      filterWidth: info.effectiveFilterWidth,
      padTop: info.padInfo.top,
      padLeft: info.padInfo.left,
    });
    return dx;
  };
  return {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    kernelFunc: maxPoolGradWasm as unknown as KernelFunc,
  };
}
