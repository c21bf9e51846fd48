/**
 * Installs the training kernels on the wasm backend. Call after `tf.setBackend('wasm')` has resolved.
 *
 * - `optimised` (training's default): the missing Conv2DBackpropFilter, plus faster Conv2DBackpropInput,
 *   MaxPoolGrad, bias-gradient Sum, batch norm's Mean and Tile and transposed BatchMatMul than the stock
 *   4.22 kernels.
 * - `baseline`: only the missing Conv2DBackpropFilter in its first, plain form, stock kernels otherwise;
 *   `npm run bench:train` measures against it.
 */
import {
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import { makeBatchMatMulConfig } from './batch-mat-mul.ts';
import { makeConv2dBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { makeConv2dBackpropInputConfig } from './conv2d-backprop-input.ts';
import { makeMeanConfig, makeSumConfig, makeTileConfig } from './leading-axes.ts';
import { makeMaxPoolGradConfig } from './max-pool-grad.ts';

export type KernelSet = 'optimised' | 'baseline';

/** The backend's own kernels, captured before we replace any, so sets can be switched back and forth. */
const stockKernels = new Map<string, KernelConfig | undefined>();

function install(kernelName: string, make: ((stock: KernelFunc | undefined) => KernelConfig) | undefined) {
  if (!stockKernels.has(kernelName)) stockKernels.set(kernelName, getKernel(kernelName, 'wasm'));
  const stock = stockKernels.get(kernelName);
  if (getKernel(kernelName, 'wasm')) unregisterKernel(kernelName, 'wasm');
  const config = make ? make(stock?.kernelFunc) : stock;
  if (config) registerKernel(config);
}

export function registerTrainingKernels(set: KernelSet = 'optimised'): void {
  const optimised = set === 'optimised';
  install('Conv2DBackpropFilter', () =>
    makeConv2dBackpropFilterConfig({ gatherPatchesWhenSmall: optimised }),
  );
  install('Conv2DBackpropInput', optimised ? makeConv2dBackpropInputConfig : undefined);
  install('MaxPoolGrad', optimised ? makeMaxPoolGradConfig : undefined);
  install('Sum', optimised ? makeSumConfig : undefined);
  // Batch norm's moments and gradient (`npm run train -- --batch-norm`).
  install('Mean', optimised ? makeMeanConfig : undefined);
  install('Tile', optimised ? makeTileConfig : undefined);
  install('BatchMatMul', optimised ? makeBatchMatMulConfig : undefined);
}
