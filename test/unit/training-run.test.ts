import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelManifestSchema } from '../../core/manifest.ts';
import { PARAMETER_COUNT, WEIGHT_SPECS } from '../../core/model-spec.ts';
import { readCheckedExport } from '../../scripts/lib/export-folder.ts';
import { useWasmForTraining } from '../../training/backend.ts';
import { versionOf } from '../../training/export.ts';
import { loadMnistTest } from '../../training/mnist.ts';
import { accuracyOnTestDigits, loadExportWithTfjs } from './helpers/load-export.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;

/** The real CLI, on the real MNIST files: a short run on a small subset. */
async function train(out: string, ...extra: string[]) {
  const args = ['tsx', 'training/train.ts', '--epochs', '2', '--limit', '1200', '--batch-size', '64'];
  args.push('--test-limit', '500', '--out', out, ...extra);
  const { stdout } = await run('npx', args, { cwd: root, maxBuffer: 1 << 24 });
  return stdout;
}

const readManifest = async (dir: string) =>
  ModelManifestSchema.parse(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')));

describe('a short real training run', () => {
  let workspace: string;
  let first: string;
  let firstLog: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'digit-edge-train-'));
    first = join(workspace, 'first');
    firstLog = await train(first);
  });

  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it('reports every epoch with validation figures and the test accuracy of each precision', () => {
    expect(firstLog).toMatch(/epoch 1\/2: loss [\d.]+ acc [\d.]+% \| val loss [\d.]+ val acc [\d.]+%/);
    expect(firstLog).toMatch(/epoch 2\/2: /);
    for (const precision of ['float32', 'float16', 'uint8'])
      expect(firstLog).toMatch(new RegExp(`test accuracy ${precision}: `));
  });

  it('exports files that match their manifest, with metrics of every precision', async () => {
    const { manifest } = await readCheckedExport(first); // throws on any size or sha256 mismatch
    expect(await versionOf(manifest.files)).toBe(manifest.version);
    expect(manifest.parameters).toBe(PARAMETER_COUNT);
    expect(manifest.precision).toBe('uint8');
    expect(manifest.history).toHaveLength(2);
    expect(manifest.training).toMatchObject({
      epochs: 2,
      batchSize: 64,
      trainExamples: 1200,
      validationExamples: 5000,
    });
    for (const precision of ['float32', 'float16', 'uint8'] as const) {
      const metrics = manifest.test[precision];
      expect(metrics.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
      expect(metrics.perClassAccuracy).toHaveLength(10);
    }
    expect(manifest.test.uint8.weightBytes).toBeLessThan(manifest.test.float16.weightBytes);
    expect(manifest.test.uint8.weightBytes).toBeLessThanOrEqual(225_000);
    const svg = await readFile(join(first, 'curves.svg'), 'utf8');
    expect(svg).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(await readFile(join(first, 'confusion.svg'), 'utf8')).toContain('predicted digit');
  });

  it('exports a model tf.loadLayersModel reads, with uint8 quantization entries, that predicts far better than chance', async () => {
    const modelJson = JSON.parse(await readFile(join(first, 'model.json'), 'utf8'));
    const entries = modelJson.weightsManifest[0].weights;
    expect(entries.map((e: { name: string }) => e.name)).toEqual(WEIGHT_SPECS.map((s) => s.name));
    expect(entries.find((e: { name: string }) => e.name === 'dense1/kernel').quantization.dtype).toBe(
      'uint8',
    );
    await useWasmForTraining();
    const model = await loadExportWithTfjs(first);
    expect(model.countParams()).toBe(PARAMETER_COUNT);
    const test = await loadMnistTest();
    // Digits 9000..9999 were never seen: training used training digits, evaluation the first 500 test digits.
    const held = { images: test.images.subarray(9000 * 784), labels: test.labels.subarray(9000) };
    expect(await accuracyOnTestDigits(model, held.images, held.labels, 1000)).toBeGreaterThan(0.6);
    model.dispose();
  });

  it('is reproducible and resumable: same seed, same bytes, same version', async () => {
    const original = (await readManifest(first)).version;
    const resumedDir = join(workspace, 'resumed');
    const resumed = await train(resumedDir, '--resume', '--checkpoint-dir', `${first}.checkpoint`);
    expect(resumed).toMatch(/resumed after epoch 2/);
    const again = join(workspace, 'again');
    await train(again);
    expect((await readManifest(resumedDir)).version).toBe(original);
    expect((await readManifest(again)).version).toBe(original);
  });
});
