import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useWasmForTraining } from '../../training/backend.ts';
import { registerTrainingKernels } from '../../training/kernels/register.ts';
import { createRandom, type Random } from '../../training/random.ts';

type Pad = 'same' | 'valid' | number;

const randomValues = (random: Random, count: number) =>
  Float32Array.from({ length: count }, () => random() * 2 - 1);

/** Runs a kernel on a named backend and returns its values and shape. */
async function runOn(
  backend: 'cpu' | 'wasm',
  kernelName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
) {
  await tf.setBackend(backend);
  const tensors = Object.fromEntries(
    Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v.values, v.shape)]),
  );
  const out = tf.engine().runKernel(kernelName, tensors, attrs as never) as tf.Tensor;
  const result = { values: await out.data(), shape: out.shape };
  tf.dispose([out, ...Object.values(tensors)]);
  return result;
}

async function expectSameOnBothBackends(
  kernelName: string,
  inputs: Record<string, { values: Float32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
) {
  const expected = await runOn('cpu', kernelName, inputs, attrs);
  const actual = await runOn('wasm', kernelName, inputs, attrs);
  expect(actual.shape).toEqual(expected.shape);
  let worst = 0;
  let scale = 1e-6;
  for (let i = 0; i < expected.values.length; i++) {
    worst = Math.max(worst, Math.abs((actual.values[i] as number) - (expected.values[i] as number)));
    scale = Math.max(scale, Math.abs(expected.values[i] as number));
  }
  expect(worst / scale).toBeLessThan(1e-4);
}

interface Case {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filter: number;
  stride: number;
  pad: Pad;
}

function randomCases(seed: number, count: number): Case[] {
  const random = createRandom(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  return Array.from({ length: count }, () => ({
    batch: pick([1, 2, 3]),
    height: pick([5, 6, 7, 9, 12]),
    width: pick([4, 5, 8, 11]),
    inChannels: pick([1, 2, 3, 5]),
    outChannels: pick([1, 2, 4, 6]),
    filter: pick([1, 2, 3, 4]),
    stride: pick([1, 1, 2, 3]),
    pad: pick<Pad>(['same', 'valid', 0, 1, 2]),
  }));
}

const outputSize = (size: number, c: Case) => {
  if (c.pad === 'same') return Math.ceil(size / c.stride);
  const padding = c.pad === 'valid' ? 0 : c.pad;
  return Math.floor((size + 2 * padding - c.filter) / c.stride) + 1;
};

/** Conv2DBackpropFilter on random x and dy of case `c`, compared across backends. */
async function expectFilterGradientMatches(c: Case, seed: number) {
  const random = createRandom(seed);
  const outH = outputSize(c.height, c);
  const outW = outputSize(c.width, c);
  await expectSameOnBothBackends(
    'Conv2DBackpropFilter',
    {
      x: {
        values: randomValues(random, c.batch * c.height * c.width * c.inChannels),
        shape: [c.batch, c.height, c.width, c.inChannels],
      },
      dy: {
        values: randomValues(random, c.batch * outH * outW * c.outChannels),
        shape: [c.batch, outH, outW, c.outChannels],
      },
    },
    {
      strides: [c.stride, c.stride],
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape: [c.filter, c.filter, c.inChannels, c.outChannels],
    },
  );
}

describe('training kernels registered on wasm match the cpu backend', () => {
  beforeAll(async () => {
    await useWasmForTraining();
  });

  const cases = randomCases(7, 24).filter((c) => outputSize(c.height, c) > 0 && outputSize(c.width, c) > 0);

  it.each(cases)('Conv2DBackpropFilter %o', (c) => expectFilterGradientMatches(c, c.height * 31 + c.width));

  it.each(cases)('Conv2DBackpropInput %o', async (c) => {
    const random = createRandom(c.height * 17 + c.width);
    const outH = outputSize(c.height, c);
    const outW = outputSize(c.width, c);
    await expectSameOnBothBackends(
      'Conv2DBackpropInput',
      {
        dy: {
          values: randomValues(random, c.batch * outH * outW * c.outChannels),
          shape: [c.batch, outH, outW, c.outChannels],
        },
        filter: {
          values: randomValues(random, c.filter * c.filter * c.inChannels * c.outChannels),
          shape: [c.filter, c.filter, c.inChannels, c.outChannels],
        },
      },
      {
        strides: [c.stride, c.stride],
        pad: c.pad,
        dataFormat: 'NHWC',
        inputShape: [c.batch, c.height, c.width, c.inChannels],
      },
    );
  });

  it.each(cases)('MaxPoolGrad %o', async (c) => {
    const random = createRandom(c.height * 13 + c.width);
    const pad = typeof c.pad === 'number' ? 'valid' : c.pad; // pooling takes same/valid only
    const poolCase = { ...c, pad };
    const outH = outputSize(c.height, poolCase);
    const outW = outputSize(c.width, poolCase);
    const x = {
      values: randomValues(random, c.batch * c.height * c.width * c.inChannels),
      shape: [c.batch, c.height, c.width, c.inChannels],
    };
    await tf.setBackend('cpu');
    const xTensor = tf.tensor4d(x.values, x.shape as [number, number, number, number]);
    const pooled = tf.maxPool(xTensor, c.filter, c.stride, pad);
    const output = { values: (await pooled.data()) as Float32Array, shape: pooled.shape };
    tf.dispose([xTensor, pooled]);
    await expectSameOnBothBackends(
      'MaxPoolGrad',
      {
        dy: {
          values: randomValues(random, c.batch * outH * outW * c.inChannels),
          shape: [c.batch, outH, outW, c.inChannels],
        },
        input: x,
        output,
      },
      { filterSize: [c.filter, c.filter], strides: [c.stride, c.stride], pad },
    );
  });

  it.each([
    { shape: [4, 5, 6, 7], axis: [0, 1, 2], keepDims: false },
    { shape: [4, 5, 6, 7], axis: [2, 0, 1], keepDims: true },
    { shape: [9, 3], axis: [0], keepDims: false },
    { shape: [4, 5, 6, 7], axis: [1, 2], keepDims: false },
    { shape: [4, 5, 6], axis: [-1], keepDims: true },
    { shape: [8], axis: [0], keepDims: false },
  ])('Sum and Mean %o', async ({ shape, axis, keepDims }) => {
    const random = createRandom(shape.length * 5 + axis.length);
    const count = shape.reduce((a, b) => a * b, 1);
    const x = { values: randomValues(random, count), shape };
    await expectSameOnBothBackends('Sum', { x }, { axis, keepDims });
    await expectSameOnBothBackends('Mean', { x }, { axis, keepDims });
  });

  it.each([
    { shape: [1, 1, 1, 7], reps: [4, 5, 6, 1] },
    { shape: [1, 3], reps: [9, 1] },
    { shape: [2, 1, 3], reps: [2, 3, 1] },
    { shape: [1, 4], reps: [2, 3] },
    { shape: [5], reps: [3] },
  ])('Tile %o', async ({ shape, reps }) => {
    const random = createRandom(reps.reduce((a, b) => a * b, 1));
    const count = shape.reduce((a, b) => a * b, 1);
    await expectSameOnBothBackends('Tile', { x: { values: randomValues(random, count), shape } }, { reps });
  });

  it.each([
    { a: [7, 5], b: [7, 3], transposeA: true, transposeB: false },
    { a: [4, 6], b: [9, 6], transposeA: false, transposeB: true },
    { a: [6, 4], b: [9, 6], transposeA: true, transposeB: true },
    { a: [2, 3, 5], b: [2, 3, 4], transposeA: true, transposeB: false },
    { a: [2, 5, 3], b: [2, 4, 3], transposeA: false, transposeB: true },
    { a: [3, 8], b: [8, 2], transposeA: false, transposeB: false },
  ])('BatchMatMul %o', async ({ a, b, transposeA, transposeB }) => {
    const random = createRandom(a.length * 19 + (b[1] ?? 0));
    const size = (shape: number[]) => shape.reduce((x, y) => x * y, 1);
    await expectSameOnBothBackends(
      'BatchMatMul',
      {
        a: { values: randomValues(random, size(a)), shape: a },
        b: { values: randomValues(random, size(b)), shape: b },
      },
      { transposeA, transposeB },
    );
  });

  it('the reference model layer shapes match too (batch 4, 28×28, 1→64 and 64→32 channels)', async () => {
    const random = createRandom(99);
    for (const [inC, outC, size] of [
      [1, 64, 28],
      [64, 32, 14],
    ] as const) {
      const x = { values: randomValues(random, 4 * size * size * inC), shape: [4, size, size, inC] };
      const dy = { values: randomValues(random, 4 * size * size * outC), shape: [4, size, size, outC] };
      const filter = { values: randomValues(random, 9 * inC * outC), shape: [3, 3, inC, outC] };
      const attrs = { strides: [1, 1], pad: 'same', dataFormat: 'NHWC' };
      await expectSameOnBothBackends(
        'Conv2DBackpropFilter',
        { x, dy },
        { ...attrs, filterShape: [3, 3, inC, outC] },
      );
      await expectSameOnBothBackends(
        'Conv2DBackpropInput',
        { dy, filter },
        { ...attrs, inputShape: [4, size, size, inC] },
      );
    }
  });
});

describe('the baseline kernel set (plain filter gradient, stock others) matches the cpu backend too', () => {
  beforeAll(async () => {
    await useWasmForTraining('baseline');
  });
  afterAll(() => registerTrainingKernels('optimised'));

  it.each(randomCases(11, 8).filter((c) => outputSize(c.height, c) > 0 && outputSize(c.width, c) > 0))(
    'Conv2DBackpropFilter %o',
    (c) => expectFilterGradientMatches(c, c.height * 7 + c.width),
  );
});
