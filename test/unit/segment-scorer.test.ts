import { describe, expect, it } from 'vitest';
import type { InkMap } from '../../core/ink-map.ts';
import { CLASS_COUNT } from '../../core/model-spec.ts';
import { planNumber } from '../../core/segment-number.ts';
import { versionOf } from '../../training/export.ts';
import { rightReading } from '../../training/segment-scorer.ts';

/** Three rings (drawn 0s), the middle one joined to the last by a bridge. */
function rings(): InkMap {
  const width = 200;
  const ink = new Uint8Array(width * 60);
  const rect = (x: number, y: number, w: number, h: number) => {
    for (let row = y; row < y + h; row++) ink.fill(255, row * width + x, row * width + x + w);
  };
  for (const x of [10, 60, 96]) {
    rect(x, 10, 30, 4);
    rect(x, 46, 30, 4);
    rect(x, 10, 4, 40);
    rect(x + 26, 10, 4, 40);
  }
  rect(90, 28, 6, 4);
  return { width, height: 60, ink };
}

describe('rightReading (the labels the segment score is fitted on)', () => {
  const plan = planNumber(rings());
  // A stand-in model: a ring-wide candidate reads 0 (more surely the closer to 30 px), anything else 8.
  const probabilities = new Float32Array(plan.candidates.length * CLASS_COUNT).fill(0.01);
  plan.candidates.forEach((candidate, i) => {
    const ringLike = Math.abs(candidate.box.width - 30) <= 6;
    probabilities[i * CLASS_COUNT + (ringLike ? 0 : 8)] = ringLike
      ? 0.99 - Math.abs(candidate.box.width - 30) / 100
      : 0.9;
  });

  it('finds the candidates that read the written number right, one per digit, left to right', () => {
    const path = rightReading(plan, probabilities, '000');
    expect(path).not.toBeNull();
    const boxes = (path ?? []).map((index) => plan.candidates[index]?.box);
    expect(boxes.map((box) => box?.x)).toEqual([10, 60, expect.any(Number)]);
    expect(Math.abs((boxes[2]?.x ?? 0) - 96)).toBeLessThanOrEqual(6);
    // The merged pair reads 8: "08" is a right reading too, of another number.
    expect(rightReading(plan, probabilities, '08')).not.toBeNull();
  });

  it('is null when no partition reads the number', () => {
    expect(rightReading(plan, probabilities, '0000')).toBeNull();
    expect(rightReading(plan, probabilities, '80')).toBeNull();
  });
});

describe("an export's version", () => {
  const files = [{ path: 'model.json', bytes: 10, sha256: 'a'.repeat(64) }];
  const scorer = {
    kind: 'mlp-hidden-energy-ink/1' as const,
    mean: [0, 1],
    scale: [1, 1],
    hiddenWeights: [1, 2],
    hiddenBias: [0],
    weights: [1],
    bias: 0,
    metrics: {
      fitNumbers: 1,
      wholeCandidates: 1,
      otherCandidates: 1,
      validationNumbers: 1,
      validationWholeBefore: 0,
      validationWholeAfter: 1,
    },
  };

  it('counts the segment score (versions are immutable once published), in whatever key order it was read', async () => {
    const plain = await versionOf({ files });
    const scored = await versionOf({ files, segmentScorer: scorer });
    expect(scored).not.toBe(plain);
    expect(await versionOf({ files, segmentScorer: { ...scorer, bias: 0.5 } })).not.toBe(scored);
    const { kind, bias, ...rest } = scorer;
    expect(await versionOf({ files, segmentScorer: { bias, ...rest, kind } })).toBe(scored);
    // What it measured is not what it serves.
    expect(
      await versionOf({ files, segmentScorer: { ...scorer, metrics: { ...scorer.metrics, fitNumbers: 2 } } }),
    ).toBe(scored);
  });
});
