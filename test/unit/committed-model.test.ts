import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, ModelManifestSchema } from '../../core/manifest.ts';
import { PARAMETER_COUNT } from '../../core/model-spec.ts';
import { readCheckedExport } from '../../scripts/lib/export-folder.ts';
import { useWasmForTraining } from '../../training/backend.ts';
import { versionOf } from '../../training/export.ts';
import { loadMnistTest } from '../../training/mnist.ts';
import { accuracyOnTestDigits, loadExportWithTfjs } from './helpers/load-export.ts';

const directory = join(new URL('../..', import.meta.url).pathname, DEFAULT_MODEL_DIR);

describe('the committed default model', () => {
  it('has files matching the sha256 and sizes of its manifest, and the version they derive', async () => {
    const { manifest } = await readCheckedExport(directory); // throws on any mismatch
    expect(await versionOf(manifest.files)).toBe(manifest.version);
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

  it('meets the accuracy targets: ≥ 99.4% served (uint8), quantisation costing ≤ 0.05 points', async () => {
    const manifest = ModelManifestSchema.parse(
      JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')),
    );
    expect(manifest.test.uint8.accuracy).toBeGreaterThanOrEqual(0.994);
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
    model.dispose();
  });
});
