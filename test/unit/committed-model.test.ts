import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import {
  expectedCalibrationError,
  scoreParametersProblem,
  softmaxWithTemperature,
} from '../../core/confidence.ts';
import { DEFAULT_MODEL_DIR, ModelManifestSchema } from '../../core/manifest.ts';
import { PARAMETER_COUNT } from '../../core/model-spec.ts';
import { readCheckedExport } from '../../scripts/lib/export-folder.ts';
import { useWasmForTraining } from '../../training/backend.ts';
import { versionOf } from '../../training/export.ts';
import { loadMnistTest } from '../../training/mnist.ts';
import { accuracyOnTestDigits, loadExportWithTfjs } from './helpers/load-export.ts';

/** The served accuracy the committed model must reach on the 10,000 MNIST test digits (issue 11). */
const MIN_ACCURACY = 0.996;
const directory = join(new URL('../..', import.meta.url).pathname, DEFAULT_MODEL_DIR);

describe('the committed default model', () => {
  it('has files matching the sha256 and sizes of its manifest, and the version they derive', async () => {
    const { manifest } = await readCheckedExport(directory); // throws on any mismatch
    expect(await versionOf(manifest)).toBe(manifest.version);
  });

  it('is the uint8 reference CNN within the size budget', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    expect(manifest.precision).toBe('uint8');
    expect(manifest.parameters).toBe(PARAMETER_COUNT);
    const weightBytes = manifest.files
      .filter((f) => f.path.endsWith('.bin'))
      .reduce((sum, f) => sum + f.bytes, 0);
    expect(weightBytes).toBeLessThanOrEqual(225_000);
    expect(manifest.test.uint8.weightBytes).toBe(weightBytes);
  });

  it('meets the accuracy targets: ≥ MIN_ACCURACY served (uint8), quantisation costing ≤ 0.05 points', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    expect(manifest.test.uint8.accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
    expect(manifest.test.float32.accuracy - manifest.test.uint8.accuracy).toBeLessThanOrEqual(0.0005);
    expect(manifest.training.trainExamples + manifest.training.validationExamples).toBe(60_000);
  });

  it('loads with tf.loadLayersModel and scores what its manifest claims on the test digits', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    await useWasmForTraining();
    const model = await loadExportWithTfjs(directory);
    const test = await loadMnistTest();
    const accuracy = await accuracyOnTestDigits(model, test.images, test.labels, 10_000);
    // The layers API and the exporter's evaluation run the same dequantised weights.
    expect(accuracy).toBeCloseTo(manifest.test.uint8.accuracy, 3);
    expect(accuracy).toBeGreaterThanOrEqual(MIN_ACCURACY);
    model.dispose();
  });

  it('is calibrated: the ECE (15 bins) with the manifest temperature, re-measured, is what it claims and ≤ 0.5%', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    const temperature = manifest.calibration?.temperature;
    expect(temperature).toBeGreaterThan(0);
    await useWasmForTraining();
    const model = await loadExportWithTfjs(directory);
    const test = await loadMnistTest();
    const pixels = Float32Array.from(test.images, (v) => v / 255);
    const probabilities = new Float32Array(10_000 * 10);
    for (let from = 0; from < 10_000; from += 1000) {
      const chunk = pixels.subarray(from * 784, (from + 1000) * 784);
      probabilities.set(
        tf.tidy(() => (model.predict(tf.tensor4d(chunk, [1000, 28, 28, 1])) as tf.Tensor).dataSync()),
        from * 10,
      );
    }
    model.dispose();
    const confidence: number[] = [];
    const correct: boolean[] = [];
    for (let i = 0; i < 10_000; i++) {
      // softmax(log p / T) = softmax(logits / T): the log-probabilities are the logits up to a constant.
      const logits = Array.from(probabilities.subarray(i * 10, i * 10 + 10), (p) =>
        Math.log(Math.max(p, 1e-30)),
      );
      const calibrated = softmaxWithTemperature(logits, temperature);
      const best = calibrated.indexOf(Math.max(...calibrated));
      confidence.push(calibrated[best] as number);
      correct.push(best === test.labels[i]);
    }
    const ece = expectedCalibrationError(confidence, correct);
    expect(ece).toBeCloseTo(manifest.calibration?.test.eceAfter ?? -1, 3);
    expect(ece).toBeLessThanOrEqual(0.005);
  });

  it('flags few digits and most non-digits, as measured at export', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    const metrics = manifest.digitDetector?.metrics;
    expect(metrics?.validationDigitsFlagged).toBeLessThanOrEqual(0.01);
    // Issue 11's targets: at most 1% of the test digits and at least 90% of the generated non-digits flagged.
    expect(metrics?.testDigitsFlagged).toBeLessThanOrEqual(0.01);
    expect(metrics?.nonDigitsFlagged).toBeGreaterThanOrEqual(0.9);
    expect(manifest.calibration?.validationUncertainShare).toBeLessThanOrEqual(0.01);
  });

  it('carries a servable segment score for the number reader, which read more validation numbers whole', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    const scorer = manifest.segmentScorer;
    expect(scorer).toBeDefined();
    if (scorer === undefined) return;
    expect(scoreParametersProblem('segmentScorer', scorer)).toBeUndefined();
    expect(scorer.metrics.validationNumbers).toBeGreaterThanOrEqual(300);
    expect(scorer.metrics.validationWholeAfter).toBeGreaterThan(scorer.metrics.validationWholeBefore);
  });
});
