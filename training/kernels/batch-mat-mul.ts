/**
 * BatchMatMul for the wasm backend, fast for the dense layers' gradients: the stock 4.22 kernel is ~10×
 * slower with `transposeA`/`transposeB` than without. Transposing the operand first (a cheap copy) and
 * running the untransposed product is much faster.
 */
import type {
  BatchMatMulAttrs,
  BatchMatMulInputs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import { type BackendWasm, disposeAll, requireInput, runWasmKernel } from './wasm-kernel-utils.ts';

const swapLastTwoAxes = (rank: number) => [
  ...Array.from({ length: rank - 2 }, (_, i) => i),
  rank - 1,
  rank - 2,
];

export function makeBatchMatMulConfig(stock: KernelFunc | undefined): KernelConfig {
  if (!stock) throw new Error('the wasm backend has no BatchMatMul kernel to wrap');
  const batchMatMulWasm = (args: {
    inputs: BatchMatMulInputs;
    backend: BackendWasm;
    attrs: BatchMatMulAttrs;
  }) => {
    const { backend, attrs } = args;
    if (!attrs.transposeA && !attrs.transposeB) return stock(args as never) as TensorInfo;
    const temporaries: TensorInfo[] = [];
    const upright = (tensor: TensorInfo, transposed: boolean) => {
      if (!transposed) return tensor;
      const copy = runWasmKernel(
        'Transpose',
        backend,
        { x: tensor },
        { perm: swapLastTwoAxes(tensor.shape.length) },
      );
      temporaries.push(copy);
      return copy;
    };
    const a = upright(requireInput(args.inputs.a, 'a'), attrs.transposeA);
    const b = upright(requireInput(args.inputs.b, 'b'), attrs.transposeB);
    const result = stock({
      inputs: { a, b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    } as never) as TensorInfo;
    disposeAll(backend, ...temporaries);
    return result;
  };
  return {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: batchMatMulWasm as unknown as KernelFunc,
  };
}
