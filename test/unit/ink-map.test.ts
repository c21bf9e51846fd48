import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type InkMap, labelComponents, mnistFromInk } from '../../core/ink-map.ts';

/** A map from rows of text: '#' is full ink, '+' half ink, anything else paper. */
function mapOf(rows: readonly string[]): InkMap {
  const width = rows[0]?.length ?? 0;
  const ink = new Uint8Array(width * rows.length);
  rows.forEach((row, y) => {
    for (let x = 0; x < width; x++) ink[y * width + x] = row[x] === '#' ? 255 : row[x] === '+' ? 128 : 0;
  });
  return { width, height: rows.length, ink };
}

describe('labelComponents', () => {
  it('joins diagonal neighbours and keeps separate strokes apart, with boxes, areas and centres', () => {
    const { components, labels } = labelComponents(mapOf(['#...#', '.#..#', '..#..', '.....', '##...']));
    expect(components.map((c) => [c.area, c.box])).toEqual([
      [3, { x: 0, y: 0, width: 3, height: 3 }],
      [2, { x: 4, y: 0, width: 1, height: 2 }],
      [2, { x: 0, y: 4, width: 2, height: 1 }],
    ]);
    expect(components[0]?.centreX).toBeCloseTo(1);
    expect(components[0]?.centreY).toBeCloseTo(1);
    expect(labels[2 * 5 + 2]).toBe(1);
    expect(labels[3 * 5 + 2]).toBe(0);
  });

  it('leaves ink below the threshold out', () => {
    const map = mapOf(['#+#']);
    expect(labelComponents(map).components).toHaveLength(1);
    expect(labelComponents(map, 200).components).toHaveLength(2);
  });

  it('labels every inked pixel exactly once and the areas add up (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 24 }),
        fc.integer({ min: 1, max: 24 }),
        fc.integer(),
        (w, h, seed) => {
          let state = seed >>> 0 || 1;
          const ink = Uint8Array.from({ length: w * h }, () => {
            state = (state * 1103515245 + 12345) >>> 0;
            return state % 3 === 0 ? 255 : 0;
          });
          const { labels, components } = labelComponents({ width: w, height: h, ink });
          const inked = ink.reduce((n, v) => n + (v > 0 ? 1 : 0), 0);
          expect(components.reduce((n, c) => n + c.area, 0)).toBe(inked);
          for (let i = 0; i < ink.length; i++) expect(labels[i] !== 0).toBe((ink[i] as number) > 0);
        },
      ),
    );
  });

  it('fills a 2000×2000 solid block without overflowing the stack', () => {
    const ink = new Uint8Array(2000 * 2000).fill(255);
    expect(labelComponents({ width: 2000, height: 2000, ink }).components[0]?.area).toBe(4_000_000);
  });
});

describe('mnistFromInk', () => {
  it('reads only the ink inside the region it is given', () => {
    const map = mapOf(['##....#', '##....#', '##....#']);
    const left = mnistFromInk(map, { x: 0, y: 0, width: 3, height: 3 });
    const whole = mnistFromInk(map);
    expect(left).not.toBeNull();
    expect(whole).not.toBeNull();
    expect(left).not.toEqual(whole);
    // A 2×3 bar scales to 13×20 in the box: a solid block of ink.
    expect(left?.reduce((a, b) => a + b, 0)).toBeGreaterThan(200);
    expect(mnistFromInk(map, { x: 2, y: 0, width: 4, height: 3 })).toBeNull();
  });
});
