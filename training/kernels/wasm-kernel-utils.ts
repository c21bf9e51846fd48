/**
 * Small helpers for writing tfjs kernels on the wasm backend in terms of the backend's own kernels.
 * Pinned to @tensorflow/tfjs-backend-wasm 4.22: relies on `BackendWasm.makeOutput`, `typedArrayFromHeap` and
 * `disposeData`, which are public on that class.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  getKernel,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

export type { BackendWasm };

/** Runs another wasm kernel directly (no tape, no engine bookkeeping) and returns its raw output. */
export function runWasmKernel(
  kernelName: string,
  backend: BackendWasm,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${kernelName} kernel`);
  const output = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(output)) throw new Error(`${kernelName} returned several outputs`);
  return output as TensorInfo;
}

export function heapFloats(backend: BackendWasm, tensor: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(tensor) as Float32Array;
}

export function disposeAll(backend: BackendWasm, ...tensors: TensorInfo[]): void {
  for (const tensor of tensors) backend.disposeData(tensor.dataId);
}

/** tfjs types kernel inputs as optional; a missing one is a programming error. */
export function requireInput(tensor: TensorInfo | undefined, name: string): TensorInfo {
  if (!tensor) throw new Error(`kernel input ${name} is missing`);
  return tensor;
}

export interface Padding {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** A stride-1 NHWC convolution on the wasm backend (XNNPACK) with explicit padding: the gradients' workhorse. */
export function convolveOnWasm(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  padding: Padding,
  dilations: [number, number] = [1, 1],
): TensorInfo {
  const { top, bottom, left, right } = padding;
  return runWasmKernel(
    'Conv2D',
    backend,
    { x, filter },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations,
      dimRoundingMode: undefined as unknown as string,
    },
  );
}
