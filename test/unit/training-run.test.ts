import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scoreParametersProblem } from '../../core/confidence.ts';
import { fullHistory, ModelManifestSchema } from '../../core/manifest.ts';
import { PARAMETER_COUNT, WEIGHT_SPECS } from '../../core/model-spec.ts';
import { readCheckedExport } from '../../scripts/lib/export-folder.ts';
import { useWasmForTraining } from '../../training/backend.ts';
import { versionOf } from '../../training/export.ts';
import { loadMnistTest } from '../../training/mnist.ts';
import { parseTrainOptions } from '../../training/options.ts';
import { QUICK_SEGMENT_SIZES } from '../../training/segment-scorer.ts';
import { accuracyOnTestDigits, loadExportWithTfjs } from './helpers/load-export.ts';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
// --tail 0: the default fine-tune after the run has its own test below (a later --tail overrides this one).
const SHORT_RUN = [
  '--epochs',
  '2',
  '--limit',
  '1200',
  '--batch-size',
  '64',
  '--test-limit',
  '500',
  '--tail',
  '0',
];

/** The real CLI, on the real MNIST files: a short run on a small subset. */
async function train(out: string, ...extra: string[]) {
  const args = ['--import', 'tsx', 'training/train.ts', ...SHORT_RUN, '--out', out, ...extra];
  const { stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 1 << 24 });
  return stdout;
}

/** Starts a short run and kills it as soon as its first epoch's checkpoint is on disk. */
async function trainAndInterrupt(out: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'training/train.ts', ...SHORT_RUN, '--out', out],
    {
      cwd: root,
      stdio: 'ignore',
    },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (;;) {
    const saved = await stat(join(`${out}.checkpoint`, 'state.json')).catch(() => undefined);
    if (saved) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  await exited;
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
  }, 900_000);

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
    expect(await versionOf(manifest)).toBe(manifest.version);
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
    expect(await readFile(join(first, 'reliability.svg'), 'utf8')).toContain('Reliability');
  });

  it('records the recipe, the calibration and the digit detector fitted on validation', async () => {
    const manifest = await readManifest(first);
    const defaults = parseTrainOptions([]);
    expect(manifest.training.recipe).toMatchObject({
      labelSmoothing: defaults.labelSmoothing,
      emaDecay: defaults.emaDecay,
      warmupEpochs: defaults.warmupEpochs,
    });
    expect(manifest.history[0]).toHaveProperty('emaValAccuracy');
    const { calibration, digitDetector } = manifest;
    expect(calibration?.temperature).toBeGreaterThan(0);
    expect(calibration?.validationUncertainShare).toBeLessThanOrEqual(0.01);
    expect(calibration?.test.bins).toBe(15);
    expect(digitDetector?.kind).toBe('mlp-hidden-energy-ink/1');
    if (digitDetector?.kind === 'mlp-hidden-energy-ink/1') {
      expect(digitDetector.weights).toHaveLength(digitDetector.hiddenBias.length);
      expect(digitDetector.hiddenWeights).toHaveLength(
        digitDetector.hiddenBias.length * digitDetector.mean.length,
      );
    }
    expect(digitDetector?.metrics.validationDigitsFlagged).toBeLessThanOrEqual(0.01);
    // Even a barely trained network's features set most generated non-digits apart.
    expect(digitDetector?.metrics.nonDigitsFlagged).toBeGreaterThan(0.5);
  });

  it("fits the number reader's segment score on numbers of training digits, and measures it on validation", async () => {
    const { segmentScorer } = await readManifest(first);
    expect(segmentScorer).toBeDefined();
    if (segmentScorer === undefined) return;
    expect(scoreParametersProblem('segmentScorer', segmentScorer)).toBeUndefined();
    const { metrics } = segmentScorer;
    expect(metrics.fitNumbers).toBe(QUICK_SEGMENT_SIZES.fitNumbers);
    // Each number of 2 to 8 digits gives at least one whole digit and several other candidates.
    expect(metrics.wholeCandidates).toBeGreaterThan(metrics.fitNumbers);
    expect(metrics.otherCandidates).toBeGreaterThan(metrics.wholeCandidates);
    expect(metrics.validationNumbers).toBe(QUICK_SEGMENT_SIZES.validationNumbers);
    for (const share of [metrics.validationWholeBefore, metrics.validationWholeAfter]) {
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
    }
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

  it('trains with batch norm (--batch-norm) and exports the reference model with it folded in', async () => {
    const normalised = join(workspace, 'batch-norm');
    const log = await train(normalised, '--batch-norm', 'conv2,dense1');
    expect(log).toMatch(/epoch 2\/2: /);
    const { manifest } = await readCheckedExport(normalised);
    expect(manifest.training.recipe).toMatchObject({ batchNormFoldedInto: ['conv2', 'dense1'] });
    const modelJson = JSON.parse(await readFile(join(normalised, 'model.json'), 'utf8'));
    expect(modelJson.weightsManifest[0].weights.map((e: { name: string }) => e.name)).toEqual(
      WEIGHT_SPECS.map((s) => s.name),
    );
    await useWasmForTraining();
    const model = await loadExportWithTfjs(normalised);
    const test = await loadMnistTest();
    // The uint8 accuracy the run measured on the first 500 test digits is what the export gives.
    const measured = await accuracyOnTestDigits(
      model,
      test.images.subarray(0, 500 * 784),
      test.labels.subarray(0, 500),
      500,
    );
    expect(measured).toBeCloseTo(manifest.test.uint8.accuracy, 6);
    // Far better than chance, though 38 steps leave batch norm's moving averages near where they started.
    expect(measured).toBeGreaterThan(0.3);
    model.dispose();
  }, 900_000);

  it('distils from a teacher (--teachers): its probabilities change the targets, the manifest names it', async () => {
    const teacher = (await readManifest(first)).version;
    const taught = join(workspace, 'taught');
    const log = await train(taught, '--teachers', first, '--teacher-weight', '0.8');
    expect(log).toContain(`distilling from ${teacher} (weight 0.8)`);
    const manifest = await readManifest(taught);
    expect(manifest.training.recipe).toMatchObject({ distilledFrom: [teacher], teacherWeight: 0.8 });
    // Same seed, same digits, same order as the teacher's own run: only the targets differ.
    expect(manifest.version).not.toBe(teacher);
    // Far better than chance (0.1) after 38 steps towards a teacher that is itself only 38 steps old.
    expect(manifest.test.uint8.accuracy).toBeGreaterThan(0.5);
    // A folder that is not an export is named, with what to give instead.
    await expect(train(join(workspace, 'untaught'), '--teachers', workspace)).rejects.toThrow(
      /--teachers: .* holds no manifest\.json \(give export folders\)/,
    );
  }, 900_000);

  it("fine-tunes from an export (--init): it starts from that export's weights and names it", async () => {
    const source = await readManifest(first);
    const tuned = join(workspace, 'tuned');
    // A learning rate too small to move far in 38 steps: the run reads as its starting point does.
    const log = await train(tuned, '--init', first, '--learning-rate', '0.00001');
    expect(log).toContain(`starting from the weights of ${first} (${source.version})`);
    const manifest = await readManifest(tuned);
    // It names the export it started from, with that export's recipe and curves.
    expect(manifest.fineTuneOf).toEqual({
      version: source.version,
      training: source.training,
      history: source.history,
    });
    const startValidation = manifest.history[0]?.valAccuracy ?? 0;
    const sourceBest = Math.max(...source.history.map((epoch) => epoch.valAccuracy));
    // Fresh weights at this rate would stay near chance (0.1); the source's read far better.
    expect(startValidation).toBeGreaterThan(sourceBest - 0.02);
    expect(sourceBest).toBeGreaterThan(0.5);
    // A folder that is not an export is named, with what to give instead.
    await expect(train(join(workspace, 'untuned'), '--init', workspace)).rejects.toThrow(
      /--init: no model export at .* \(.*manifest\.json is missing; run npm run train\)/,
    );
  }, 900_000);

  it('fine-tunes its own export after the run with --tail N: no dropout, no augmentation, the export kept', async () => {
    const tailed = join(workspace, 'tailed');
    const log = await train(tailed, '--tail', '1');
    expect(log).toContain(`--tail 1: fine-tuning ${tailed}-base without dropout or augmentation`);
    const base = await readManifest(`${tailed}-base`);
    const manifest = await readManifest(tailed);
    // The run itself is the plain short run (same seed, same settings): its export reads as `first` does.
    expect(base.version).toBe((await readManifest(first)).version);
    expect(base.fineTuneOf).toBeUndefined();
    expect(manifest.training).toMatchObject({ epochs: 1, augment: false });
    expect(manifest.training.recipe).toMatchObject({ dropout: 'off' });
    expect(manifest.fineTuneOf?.version).toBe(base.version);
    expect(manifest.fineTuneOf?.training).toEqual(base.training);
    expect(manifest.history).toHaveLength(1);
    expect(fullHistory(manifest)).toHaveLength(3);
  }, 900_000);

  it('is reproducible and resumable: same seed, same bytes, same version, even killed mid-run', async () => {
    const original = (await readManifest(first)).version;
    const exportedDir = join(workspace, 'exported');
    const exported = await train(
      exportedDir,
      '--resume',
      '--export-only',
      '--checkpoint-dir',
      `${first}.checkpoint`,
    );
    expect(exported).toMatch(/resumed after epoch 2/);
    expect(exported).not.toMatch(/epoch \d\/2: loss/);
    const interrupted = join(workspace, 'interrupted');
    await trainAndInterrupt(interrupted);
    const resumed = await train(interrupted, '--resume');
    expect(resumed).toMatch(/resumed after epoch 1/);
    expect(resumed).toMatch(/epoch 2\/2: loss/);
    const again = join(workspace, 'again');
    await train(again);
    expect((await readManifest(exportedDir)).version).toBe(original);
    expect((await readManifest(interrupted)).version).toBe(original);
    expect((await readManifest(again)).version).toBe(original);
  }, 900_000);

  it('trains data-parallel on 2 threads by default, and on one with --threads 1: other weights, as good', async () => {
    expect(firstLog).toContain('data-parallel on 2 threads');
    expect((await readManifest(first)).training.backend).toContain('2 threads, data-parallel');
    const single = join(workspace, 'single');
    const log = await train(single, '--threads', '1');
    expect(log).not.toContain('data-parallel');
    expect(log).toMatch(/epoch 2\/2: loss [\d.]+ acc [\d.]+% \| val loss/);
    const manifest = await readManifest(single);
    expect(manifest.training.backend).toContain('1 thread');
    // Other dropout masks and sums than two threads': other weights, as good. (The default run is
    // reproduced byte for byte by the test above.)
    expect(manifest.version).not.toBe((await readManifest(first)).version);
    expect(manifest.test.uint8.accuracy).toBeGreaterThan(0.6);
  }, 900_000);
});
