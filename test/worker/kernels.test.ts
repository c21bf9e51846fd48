/**
 * The Worker registers only the tfjs kernels the served model runs (worker/tfjs-kernels.ts): the kernels a
 * prediction executes, read from tf.profile, are exactly that list, for one digit and for a batch, and the
 * wasm backend has nothing else registered.
 */

import { env } from 'cloudflare:workers';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { type LoadedModel, loadModelFromR2 } from '../../worker/model/load-model.ts';
import { SERVED_KERNELS } from '../../worker/tfjs-kernels.ts';
import { readyTfjs } from '../../worker/tfjs-wasm.ts';
import { committedExport, publish } from './helpers/model-export.ts';

let loaded: LoadedModel;

beforeAll(async () => {
  const model = committedExport();
  await publish(model);
  await readyTfjs();
  loaded = await loadModelFromR2(env.MODELS, model.version);
});

const served = SERVED_KERNELS.map((config) => config.kernelName).sort();

describe('the served kernel list', () => {
  it.each([1, 7])('is exactly what a prediction of %i digit(s) runs', async (count) => {
    const pixels = Float32Array.from({ length: count * PIXEL_COUNT }, (_, i) => ((i * 31) % 17) / 16);
    const profile = await tf.profile(() => {
      loaded.model.predict(pixels, count);
    });
    // tf.fused.* wrap their kernel in customGrad, which the profile lists too as `<op>__op`: not a kernel.
    const kernels = profile.kernels.map((kernel) => kernel.name).filter((name) => !name.endsWith('__op'));
    const ran = [...new Set(kernels)].sort();
    expect(ran).toEqual(served);
  });

  it('is all the wasm backend has registered', () => {
    expect(tf.getBackend()).toBe('wasm');
    const registered = tf
      .getKernelsForBackend('wasm')
      .map((kernel) => kernel.kernelName)
      .sort();
    expect(registered).toEqual(served);
  });
});
