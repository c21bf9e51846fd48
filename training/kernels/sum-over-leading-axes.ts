/**
 * Sum for the wasm backend, fast for the bias gradient: reducing every axis but the last (dy of a conv or
 * dense layer summed to one value per channel). The stock kernel first transposes the whole tensor to make
 * those axes innermost; summing rows in place needs no copy. Other reductions go to the stock kernel.
 */
import {
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type SumInputs,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { type BackendWasm, heapFloats, requireInput } from './wasm-kernel-utils.ts';

/** Pure: per-channel sums of a row-major [rows, channels] matrix. */
function sumRows(values: Float32Array, channels: number, target: Float32Array): void {
  const totals = new Float64Array(channels);
  for (let offset = 0; offset < values.length; offset += channels) {
    for (let c = 0; c < channels; c++) totals[c] = (totals[c] as number) + (values[offset + c] as number);
  }
  target.set(totals);
}

export function makeSumConfig(stock: KernelFunc | undefined): KernelConfig {
  const sumWasm = (args: { inputs: SumInputs; backend: BackendWasm; attrs: SumAttrs }): TensorInfo => {
    const { backend, attrs } = args;
    const x = requireInput(args.inputs.x, 'x');
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const leadingAxes = rank >= 2 && axes.length === rank - 1 && axes.every((axis) => axis < rank - 1);
    if (!leadingAxes || x.dtype !== 'float32') {
      if (!stock) throw new Error('Sum: unsupported configuration');
      return stock(args as never) as TensorInfo;
    }
    const channels = x.shape[rank - 1] as number;
    const shape = attrs.keepDims ? [...new Array<number>(rank - 1).fill(1), channels] : [channels];
    const out = backend.makeOutput(shape, 'float32');
    sumRows(heapFloats(backend, x), channels, heapFloats(backend, out));
    return out;
  };
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc: sumWasm as unknown as KernelFunc };
}
