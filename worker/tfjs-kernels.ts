/**
 * The tfjs kernels the served model runs, and only those (tfjs's custom-bundle approach): importing
 * `@tensorflow/tfjs-backend-wasm` itself would register, and bundle, all of its ~150 kernels.
 *
 * The list is what `createFusedModel` (worker/model/fused-model.ts) executes: test/worker/kernels.test.ts
 * profiles a prediction and checks that the kernels it ran are exactly these and that nothing else is
 * registered for the backend. A tfjs upgrade that renames a kernel module fails the build; one whose ops
 * need another kernel fails that test.
 */

import { _fusedMatMulConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/_FusedMatMul.js';
import { fusedConv2DConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/FusedConv2D.js';
import { maxPoolConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/MaxPool.js';
import { reshapeConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Reshape.js';
import { softmaxConfig } from '@tensorflow/tfjs-backend-wasm/dist/kernels/Softmax.js';
import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';

export const SERVED_KERNELS: readonly KernelConfig[] = [
  fusedConv2DConfig,
  maxPoolConfig,
  reshapeConfig,
  _fusedMatMulConfig,
  softmaxConfig,
];

let registered = false;

/** Registers the served kernels for the `wasm` backend, once; before the backend starts (their setup runs then). */
export function registerServedKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of SERVED_KERNELS) registerKernel(config);
}
