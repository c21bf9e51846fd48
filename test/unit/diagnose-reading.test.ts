import { describe, expect, it } from 'vitest';
import { boxOverlap, offeredBoxes } from '../../scripts/lib/diagnose-reading.ts';
import type { WrittenNumber } from '../fixtures/numbers/generate-numbers.ts';

const box = (x: number, width: number) => ({ x, y: 0, width, height: 40 });
/** "41" written as two boxes side by side. */
const written: WrittenNumber = {
  text: '41',
  indices: [0, 1],
  width: 80,
  height: 40,
  ink: new Float32Array(80 * 40),
  boxes: [box(0, 30), box(32, 10)],
  touching: [true],
};

describe('boxOverlap', () => {
  it('is the share of the union both boxes cover', () => {
    expect(boxOverlap(box(0, 30), box(0, 30))).toBe(1);
    expect(boxOverlap(box(0, 30), box(15, 30))).toBeCloseTo(15 / 45);
    expect(boxOverlap(box(0, 30), box(30, 10))).toBe(0);
  });
});

describe('offeredBoxes', () => {
  it('finds nothing to report when every digit is read from its own box', () => {
    const read = [
      { digit: 4, box: box(0, 30) },
      { digit: 1, box: box(32, 10) },
    ];
    expect(offeredBoxes(written, read, read)).toEqual([]);
  });

  it('tells a merge with no box of the 1 from one whose boxes were offered but lost', () => {
    const merged = [{ digit: 4, box: box(0, 42) }];
    // The 4's box is close to the merge's (30 of 42 columns): only partial. The 1 has no box near its own.
    expect(offeredBoxes(written, merged, merged)).toEqual([
      'no candidate box, only partial ones',
      'no candidate box',
    ]);
    const offered = [...merged, { digit: 4, box: box(0, 30) }, { digit: 7, box: box(32, 10) }];
    expect(offeredBoxes(written, offered, merged)).toEqual([
      'its box read right, not chosen',
      'every box of it misread',
    ]);
  });
});
