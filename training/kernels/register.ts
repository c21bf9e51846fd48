/**
 * Installs the training kernels on the wasm backend: the missing Conv2DBackpropFilter and faster
 * Conv2DBackpropInput, MaxPoolGrad and
 * bias-gradient Sum. Call after `tf.setBackend('wasm')` has resolved. Idempotent.
 */
import { getKernel, type KernelFunc, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { conv2dBackpropFilterConfig } from './conv2d-backprop-filter.ts';
import { makeConv2dBackpropInputConfig } from './conv2d-backprop-input.ts';
import { makeMaxPoolGradConfig } from './max-pool-grad.ts';
import { makeSumConfig } from './sum-over-leading-axes.ts';

let registered = false;

function replace(
  kernelName: string,
  make: (stock: KernelFunc | undefined) => Parameters<typeof registerKernel>[0],
) {
  const stock = getKernel(kernelName, 'wasm')?.kernelFunc;
  if (getKernel(kernelName, 'wasm')) unregisterKernel(kernelName, 'wasm');
  registerKernel(make(stock));
}

export function registerTrainingKernels(): void {
  if (registered) return;
  registered = true;
  replace('Conv2DBackpropFilter', () => conv2dBackpropFilterConfig);
  replace('Conv2DBackpropInput', makeConv2dBackpropInputConfig);
  replace('MaxPoolGrad', makeMaxPoolGradConfig);
  replace('Sum', makeSumConfig);
}
