/**
 * Sum, Mean and Tile for the wasm backend, fast where a layer's per-channel work needs them: reducing every
 * axis but the last (a bias gradient; batch norm's moments) and repeating one value per channel over the
 * leading axes (batch norm's gradient). The stock kernels first transpose or index the whole tensor element
 * by element; working on rows in place needs neither. Other shapes go to the stock kernels.
 */
import {
  type KernelConfig,
  type KernelFunc,
  type SumAttrs,
  type SumInputs,
  type TensorInfo,
  type TileAttrs,
  type TileInputs,
  util,
} from '@tensorflow/tfjs-core';
import { type BackendWasm, heapFloats, requireInput } from './wasm-kernel-utils.ts';

/** Pure: per-channel sums of a row-major [rows, channels] matrix, times `factor`. */
function sumRows(values: Float32Array, channels: number, target: Float32Array, factor = 1): void {
  const totals = new Float64Array(channels);
  for (let offset = 0; offset < values.length; offset += channels) {
    for (let c = 0; c < channels; c++) totals[c] = (totals[c] as number) + (values[offset + c] as number);
  }
  for (let c = 0; c < channels; c++) target[c] = (totals[c] as number) * factor;
}

type ReductionArgs = { inputs: SumInputs; backend: BackendWasm; attrs: SumAttrs };

/** Sum or Mean over every axis but the last. */
function makeReductionConfig(kernelName: 'Sum' | 'Mean', stock: KernelFunc | undefined): KernelConfig {
  const reduce = (args: ReductionArgs): TensorInfo => {
    const { backend, attrs } = args;
    const x = requireInput(args.inputs.x, 'x');
    const rank = x.shape.length;
    const axes = util.parseAxisParam(attrs.axis, x.shape);
    const leadingAxes = rank >= 2 && axes.length === rank - 1 && axes.every((axis) => axis < rank - 1);
    if (!leadingAxes || x.dtype !== 'float32') {
      if (!stock) throw new Error(`${kernelName}: unsupported configuration`);
      return stock(args as never) as TensorInfo;
    }
    const channels = x.shape[rank - 1] as number;
    const shape = attrs.keepDims ? [...new Array<number>(rank - 1).fill(1), channels] : [channels];
    const out = backend.makeOutput(shape, 'float32');
    const values = heapFloats(backend, x);
    sumRows(values, channels, heapFloats(backend, out), kernelName === 'Mean' ? channels / values.length : 1);
    return out;
  };
  return { kernelName, backendName: 'wasm', kernelFunc: reduce as unknown as KernelFunc };
}

export const makeSumConfig = (stock: KernelFunc | undefined) => makeReductionConfig('Sum', stock);
export const makeMeanConfig = (stock: KernelFunc | undefined) => makeReductionConfig('Mean', stock);

/** Tile of one row of channels ([1, …, 1, C]) over the leading axes (reps [N, …, 1]): row copies. */
export function makeTileConfig(stock: KernelFunc | undefined): KernelConfig {
  const tile = (args: { inputs: TileInputs; backend: BackendWasm; attrs: TileAttrs }): TensorInfo => {
    const { backend, attrs } = args;
    const x = requireInput(args.inputs.x, 'x');
    const rank = x.shape.length;
    const reps = attrs.reps;
    const oneRow = rank >= 2 && x.shape.slice(0, -1).every((size) => size === 1) && reps[rank - 1] === 1;
    if (!oneRow || x.dtype !== 'float32' || reps.length !== rank) {
      if (!stock) throw new Error('Tile: unsupported configuration');
      return stock(args as never) as TensorInfo;
    }
    const out = backend.makeOutput(
      x.shape.map((size, axis) => size * (reps[axis] as number)),
      'float32',
    );
    const row = heapFloats(backend, x);
    const target = heapFloats(backend, out);
    for (let offset = 0; offset < target.length; offset += row.length) target.set(row, offset);
    return out;
  };
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc: tile as unknown as KernelFunc };
}
