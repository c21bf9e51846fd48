/**
 * Conv2DBackpropInput for the wasm backend: the stock 4.22 kernel is a naive loop. The input gradient is a
 * plain convolution of dy (dilated by the forward stride) with the filter rotated 180° and its channel axes
 * swapped, which XNNPACK runs fast. Falls back to the stock kernel for cases this mapping does not cover.
 */
import {
  backend_util,
  type Conv2DBackpropInputAttrs,
  type Conv2DBackpropInputInputs,
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
} from './wasm-kernel-utils.ts';

type KernelArgs = {
  inputs: Conv2DBackpropInputInputs;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
};

/** W[fh,fw,ci,co] → W'[fh,fw,co,ci] with W'[a,b,o,i] = W[fh−1−a, fw−1−b, i, o]. */
function rotateAndSwapChannels(
  filter: Float32Array,
  [height, width, inChannels, outChannels]: readonly [number, number, number, number],
): Float32Array {
  const rotated = new Float32Array(filter.length);
  for (let a = 0; a < height; a++) {
    for (let b = 0; b < width; b++) {
      const from = ((height - 1 - a) * width + (width - 1 - b)) * inChannels * outChannels;
      const to = (a * width + b) * outChannels * inChannels;
      for (let i = 0; i < inChannels; i++) {
        for (let o = 0; o < outChannels; o++) {
          rotated[to + o * inChannels + i] = filter[from + i * outChannels + o] as number;
        }
      }
    }
  }
  return rotated;
}

export function makeConv2dBackpropInputConfig(stock: KernelFunc | undefined): KernelConfig {
  const conv2dBackpropInputWasm = (args: KernelArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const dy = requireInput(inputs.dy, 'dy');
    const filter = requireInput(inputs.filter, 'filter');
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
    const format = backend_util.convertConv2DDataFormat(dataFormat);
    const info = backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      format,
    );
    const { filterHeight, filterWidth, strideHeight, strideWidth, outHeight, outWidth, inHeight, inWidth } =
      info;
    const dilatedHeight = (outHeight - 1) * strideHeight + 1;
    const dilatedWidth = (outWidth - 1) * strideWidth + 1;
    const padTop = filterHeight - 1 - info.padInfo.top;
    const padLeft = filterWidth - 1 - info.padInfo.left;
    const padBottom = inHeight + info.padInfo.top - dilatedHeight;
    const padRight = inWidth + info.padInfo.left - dilatedWidth;
    if (format !== 'channelsLast' || Math.min(padTop, padLeft, padBottom, padRight) < 0) {
      if (!stock) throw new Error('Conv2DBackpropInput: unsupported configuration');
      return stock(args as never) as TensorInfo;
    }

    const temporaries: TensorInfo[] = [];
    let source = dy;
    if (strideHeight > 1 || strideWidth > 1) {
      // Spread dy out with zeros between its rows and columns, as the strided forward pass read the input.
      const [batch, , , channels] = dy.shape as [number, number, number, number];
      source = backend.makeOutput([batch, dilatedHeight, dilatedWidth, channels], 'float32');
      temporaries.push(source);
      const spread = heapFloats(backend, source);
      spread.fill(0);
      const values = heapFloats(backend, dy);
      for (let b = 0; b < batch; b++) {
        for (let y = 0; y < outHeight; y++) {
          for (let x = 0; x < outWidth; x++) {
            const from = ((b * outHeight + y) * outWidth + x) * channels;
            const to = ((b * dilatedHeight + y * strideHeight) * dilatedWidth + x * strideWidth) * channels;
            spread.set(values.subarray(from, from + channels), to);
          }
        }
      }
    }

    const shape = filter.shape as [number, number, number, number];
    const rotatedFilter = backend.makeOutput([shape[0], shape[1], shape[3], shape[2]], 'float32');
    heapFloats(backend, rotatedFilter).set(rotateAndSwapChannels(heapFloats(backend, filter), shape));
    const result = convolveOnWasm(backend, source, rotatedFilter, {
      top: padTop,
      bottom: padBottom,
      left: padLeft,
      right: padRight,
    });
    disposeAll(backend, rotatedFilter, ...temporaries);
    return result;
  };
  return {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropInputWasm as unknown as KernelFunc,
  };
}
