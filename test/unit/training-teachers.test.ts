import { describe, expect, it } from 'vitest';
import { CLASS_COUNT, PIXEL_COUNT } from '../../core/model-spec.ts';
import { makeBatch } from '../../training/batches.ts';
import type { Subset } from '../../training/mnist.ts';
import { meanProbabilities } from '../../training/teachers.ts';

/** Three blank digits labelled 3, 7, 0. */
const subset: Subset = {
  source: {
    images: new Uint8Array(3 * PIXEL_COUNT),
    labels: Uint8Array.of(3, 7, 0),
    count: 3,
    rows: 28,
    cols: 28,
  },
  indices: Uint32Array.of(0, 1, 2),
};

describe('distillation targets (npm run train -- --teachers)', () => {
  it('averages the models’ softmax per digit', () => {
    const sure = new Float32Array(CLASS_COUNT);
    sure[2] = 20; // ~all on class 2
    const even = new Float32Array(CLASS_COUNT); // uniform
    const mean = meanProbabilities([sure, even]);
    expect(mean[2]).toBeCloseTo((1 + 0.1) / 2, 5);
    expect(mean[5]).toBeCloseTo(0.1 / 2, 5);
    expect(mean.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5);
  });

  it('mixes the teacher into the smoothed label by its weight, by each digit’s index in the source', () => {
    const probabilities = new Float32Array(3 * CLASS_COUNT);
    probabilities[1 * CLASS_COUNT + 1] = 1; // the teacher says the 7 (index 1) looks like a 1
    probabilities[0 * CLASS_COUNT + 3] = 1;
    probabilities[2 * CLASS_COUNT + 0] = 1;
    const order = Uint32Array.of(1, 0);
    const plain = makeBatch(subset, order, 0, 2, undefined, 0.1);
    const taught = makeBatch(subset, order, 0, 2, undefined, 0.1, { probabilities, weight: 0.25 });
    expect(Array.from(taught.labels)).toEqual([7, 3]);
    const row = Array.from(taught.oneHot.subarray(0, CLASS_COUNT));
    expect(row[7]).toBeCloseTo(0.75 * (plain.oneHot[7] as number), 6);
    expect(row[1]).toBeCloseTo(0.75 * 0.01 + 0.25, 6);
    expect(row.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 6);
    // The 3, whose teacher agrees with its label, keeps the label's share plus the teacher's.
    expect(taught.oneHot[CLASS_COUNT + 3]).toBeCloseTo(
      0.75 * (plain.oneHot[CLASS_COUNT + 3] as number) + 0.25,
      6,
    );
  });
});
