/**
 * Nothing hangs: a wasm start that fails, a model load that fails and an R2 read that never answers each
 * turn into 503 problem+json with Retry-After, and the next request tries again and recovers. The
 * failures are injected through createApp's dependencies and the wasm module's instantiate function.
 * Also: liveness vs readiness, health that names failures in stable words only, and which R2 reads a load
 * makes.
 */

import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CURRENT_BUNDLE_KEY,
  CURRENT_POINTER_KEY,
  MANIFEST_FILE,
  MODEL_FILE,
  versionKey,
} from '../../core/manifest.ts';
import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { type AppDependencies, createApp } from '../../worker/app.ts';
import { type LoadModel, loadModelFromR2 } from '../../worker/model/load-model.ts';
import { createWasmModule, RuntimeStartError, readyTfjs } from '../../worker/tfjs-wasm.ts';
import { BASE, expectProblem } from './helpers/api.ts';
import { bundleOf, committedExport, makeCurrent, publish, randomExport } from './helpers/model-export.ts';

const pixels = Array.from({ length: PIXEL_COUNT }, (_, i) => ((i * 7) % 13) / 12);
const SECRET = 'r2 said: internal bucket shard 7f3a unreachable';

function client(dependencies: AppDependencies) {
  const app = createApp(dependencies);
  const call = (path: string, init?: RequestInit) =>
    Promise.resolve(app.fetch(new Request(`${BASE}${path}`, init), env, createExecutionContext()));
  return {
    get: call,
    predict: () =>
      call('/api/predict', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pixels }),
      }),
  };
}

/** Fails the first `times` calls with `error`, then behaves like `real`. */
function failing<A extends unknown[], R>(
  times: number,
  error: () => Error,
  real: (...args: A) => Promise<R>,
) {
  let calls = 0;
  const wrapped = (...args: A): Promise<R> => (++calls <= times ? Promise.reject(error()) : real(...args));
  return Object.assign(wrapped, { calls: () => calls });
}

/** An R2 bucket whose reads never answer for the first `times` calls, then read the real bucket. */
function hangingBucket(bucket: R2Bucket, times: number): R2Bucket {
  let calls = 0;
  return new Proxy(bucket, {
    get(target, property) {
      if (property === 'get') {
        return (key: string) => (++calls <= times ? new Promise(() => {}) : target.get(key));
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function expectUnavailable(response: Response): Promise<string> {
  const problem = await expectProblem(response, 503, 'model_unavailable');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(problem.detail).not.toContain(SECRET);
  return problem.detail;
}

beforeAll(async () => {
  await publish(committedExport());
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a failed wasm start', () => {
  it('rejects instead of hanging when instantiation fails, and instantiates on the next try', async () => {
    // The emscripten module alone: the test files share one isolate, whose tfjs backend stays untouched.
    const instantiate = failing(
      1,
      () => new Error('injected: instantiate failed'),
      (module: WebAssembly.Module, imports: WebAssembly.Imports) => WebAssembly.instantiate(module, imports),
    );
    const outcome = await Promise.race([
      createWasmModule(instantiate).then(
        () => 'resolved',
        (error: unknown) => String(error),
      ),
      new Promise((resolve) => setTimeout(() => resolve('still pending after 10 s'), 10_000)),
    ]);
    expect(outcome).toContain('injected: instantiate failed');
    const module = await createWasmModule(instantiate);
    expect(typeof module.tfjs.init).toBe('function');
    expect(instantiate.calls()).toBe(2);
  });

  it('answers 503 with Retry-After while the runtime cannot start; the next request starts it', async () => {
    const startRuntime = failing(1, () => new RuntimeStartError(SECRET), readyTfjs);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const api = client({ startRuntime });
    const detail = await expectUnavailable(await api.predict());
    expect(detail).toContain('runtime_start_failed');
    // Operators get the raw cause in one JSON line.
    const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
    expect(logged).toContainEqual(
      expect.objectContaining({ event: 'model_unavailable', code: 'runtime_start_failed' }),
    );
    expect(JSON.stringify(logged)).toContain(SECRET);
    expect((await api.predict()).status).toBe(200);
  });
});

describe('a failed model load', () => {
  it('answers 503 with Retry-After, health names it in stable words, and the next request loads the model', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const loadModel = failing<Parameters<LoadModel>, Awaited<ReturnType<LoadModel>>>(
      1,
      () => new Error(SECRET),
      loadModelFromR2,
    );
    const api = client({ loadModel });
    await expectUnavailable(await api.predict());
    // Live answers whatever the model does; ready and health report the failure.
    expect((await api.get('/api/health/live')).status).toBe(200);
    expect(loadModel.calls()).toBe(1);
    const ready = await api.get('/api/health/ready');
    expect(ready.status).toBe(200); // the readiness check itself retried the load, and it worked
    expect(loadModel.calls()).toBe(2);
    const health = await api.get('/api/health');
    const text = await health.text();
    expect(health.status).toBe(200);
    expect(text).not.toContain(SECRET);
    expect(JSON.parse(text)).toMatchObject({ status: 'ok', lastFailure: null });
    expect((await api.predict()).status).toBe(200);
  });

  it('gives up on an R2 read that never answers (storage_timeout) and recovers on the next request', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    let hanging = true;
    const loadModel: LoadModel = (bucket, version, options) =>
      loadModelFromR2(hanging ? hangingBucket(bucket, 100) : bucket, version, {
        ...options,
        readTimeoutMs: 200,
      });
    const api = client({ loadModel });
    const started = Date.now();
    const detail = await expectUnavailable(await api.predict());
    expect(Date.now() - started).toBeLessThan(5000);
    expect(detail).toContain('storage_timeout');
    const ready = await api.get('/api/health/ready');
    await expectUnavailable(ready);
    hanging = false;
    expect((await api.predict()).status).toBe(200);
  });

  it('reports a failure seen while a model serves in /api/health as code, version and time only', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const loadModel: LoadModel = (bucket, version, options) =>
      version === 'unreadable-1'
        ? Promise.reject(new Error(SECRET))
        : loadModelFromR2(bucket, version, options);
    const api = client({ loadModel });
    expect((await api.predict()).status).toBe(200);
    const pinned = await api.get('/api/predict?version=unreadable-1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels }),
    });
    expect(await expectUnavailable(pinned)).toContain('storage_error');
    expect((await api.predict()).status).toBe(200); // the current model keeps serving
    const response = await api.get('/api/health');
    const text = await response.text();
    expect(text).not.toContain(SECRET);
    const health = JSON.parse(text) as { status: string; lastFailure: Record<string, unknown>; time: string };
    expect(health.status).toBe('degraded');
    expect(health.lastFailure).toEqual({
      code: 'storage_error',
      version: 'unreadable-1',
      at: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(health.time))).toBe(false);
  });
});

describe('liveness and readiness', () => {
  it('live answers without starting anything; ready names the verified model', async () => {
    const startRuntime = vi.fn(readyTfjs);
    const api = client({ startRuntime });
    const live = await api.get('/api/health/live');
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: 'live' });
    expect(startRuntime).not.toHaveBeenCalled();
    const ready = await api.get('/api/health/ready');
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; model: { version: string }; time: string };
    expect(body.status).toBe('ready');
    expect(body.model.version).toBe(committedExport().version);
    expect(Number.isNaN(Date.parse(body.time))).toBe(false);
    expect(startRuntime).toHaveBeenCalled();
  });
});

/** A real R2 bucket that records each read's start and end, in order. */
function recordingBucket(bucket: R2Bucket, events: string[]): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      if (property === 'get') {
        return async (key: string) => {
          events.push(`start ${key}`);
          const object = await target.get(key);
          events.push(`end ${key}`);
          return object;
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('R2 reads of a model load', () => {
  it("reads the pointer's version's files alongside its manifest, but a pin of a missing version once", async () => {
    const events: string[] = [];
    const api = client({
      loadModel: (bucket, version, options) =>
        loadModelFromR2(recordingBucket(bucket, events), version, options),
    });
    expect((await api.predict()).status).toBe(200);
    const served = committedExport().version;
    expect(events.indexOf(`start ${versionKey(served, MODEL_FILE)}`)).toBeGreaterThanOrEqual(0);
    expect(events.indexOf(`start ${versionKey(served, MODEL_FILE)}`)).toBeLessThan(
      events.indexOf(`end ${versionKey(served, MANIFEST_FILE)}`),
    );

    events.length = 0;
    const pinned = await api.get('/api/predict?version=nope-404', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels }),
    });
    await expectProblem(pinned, 404, 'model_version_not_found');
    expect(events.filter((event) => event.startsWith('start'))).toEqual([
      `start ${versionKey('nope-404', MANIFEST_FILE)}`,
    ]);
  });
});

describe('the current bundle (models/current.bundle)', () => {
  /** The model_switched line's `timings.source` of the app's first answer. */
  async function firstAnswerSource(api: ReturnType<typeof client>): Promise<string | undefined> {
    const log = vi.spyOn(console, 'log');
    expect((await api.predict()).status).toBe(200);
    const switched = log.mock.calls
      .map(([line]) => JSON.parse(String(line)) as { event: string; timings?: { source: string } })
      .find((line) => line.event === 'model_switched');
    return switched?.timings?.source;
  }

  it("serves a cold isolate from the bundle alone when it holds the pointer's manifest", async () => {
    const events: string[] = [];
    const model = committedExport();
    await makeCurrent(model);
    const api = client({
      loadModel: (bucket, version, options) =>
        loadModelFromR2(recordingBucket(bucket, events), version, options),
    });
    expect(await firstAnswerSource(api)).toBe('bundle');
    // Nothing under models/<version>/ was read: the pointer and the bundle were the only reads.
    expect(events).toEqual([]);
    // Health shows the pointer as documented, without the loader's manifest hash.
    const health = (await (await api.get('/api/health')).json()) as { pointer: object };
    expect(Object.keys(health.pointer)).toEqual(['version', 'publishedAt']);
  });

  it("reads the version's own files when the bundle holds another version (a publish between its writes)", async () => {
    const served = committedExport();
    const other = await randomExport('bundle-other', 11);
    await publish(other, { pointer: false });
    await makeCurrent(served, bundleOf(other));
    const events: string[] = [];
    const api = client({
      loadModel: (bucket, version, options) =>
        loadModelFromR2(recordingBucket(bucket, events), version, options),
    });
    expect(await firstAnswerSource(api)).toBe('files');
    expect(events).toContain(`end ${versionKey(served.version, MANIFEST_FILE)}`);
  });

  it('reads the bundle on the first look only while no model can load, not on every retry', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const missing = { ...committedExport(), version: 'bundle-missing' };
    // A pointer naming a version whose files were never uploaded, and a bundle that cannot stand in for it
    // (its manifest names the committed version): every look fails.
    await makeCurrent(missing);
    const events: string[] = [];
    const app = createApp();
    const models = recordingBucket(env.MODELS, events);
    const predict = () =>
      Promise.resolve(
        app.fetch(
          new Request(`${BASE}/api/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ pixels }),
          }),
          { ...env, MODELS: models },
          createExecutionContext(),
        ),
      );
    const bundleReads = () => events.filter((event) => event === `start ${CURRENT_BUNDLE_KEY}`).length;
    await expectUnavailable(await predict());
    expect(bundleReads()).toBe(1);
    await expectUnavailable(await predict());
    await expectUnavailable(await predict());
    expect(bundleReads()).toBe(1);
    expect(events.filter((event) => event === `start ${CURRENT_POINTER_KEY}`)).toHaveLength(3);
  });

  it("refuses a damaged bundle with a warning and serves the version's own files", async () => {
    const model = committedExport();
    const bundle = bundleOf(model);
    const shard = [...bundle.keys()].find((path) => path.endsWith('.bin')) as string;
    const damaged = Uint8Array.from(bundle.get(shard) as Uint8Array);
    damaged[100] = (damaged[100] as number) ^ 0xff;
    bundle.set(shard, damaged);
    await makeCurrent(model, bundle);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await firstAnswerSource(client({}))).toBe('files');
    const refused = warn.mock.calls.map(([line]) => JSON.parse(String(line)) as { event: string });
    expect(refused.map((line) => line.event)).toContain('current_bundle_refused');
  });
});
