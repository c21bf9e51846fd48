/** Sets tfjs up for training in Node: the wasm backend (SIMD, one thread) with our training kernels. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { type KernelSet, registerTrainingKernels } from './kernels/register.ts';

export async function useWasmForTraining(kernels: KernelSet = 'optimised'): Promise<typeof tf> {
  if (!(await tf.setBackend('wasm'))) throw new Error('could not start the tfjs wasm backend');
  await tf.ready();
  registerTrainingKernels(kernels);
  return tf;
}
