import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isDistinctPoint,
  MIN_POINT_DISTANCE,
  type Point,
  STROKE_WIDTH_FRACTION,
  strokeWidthFor,
  toPadPoint,
} from '../../site/src/pad/geometry.ts';
import { StrokeHistory } from '../../site/src/pad/history.ts';
import { type PathCommand, strokePath } from '../../site/src/pad/smoothing.ts';

const point = fc.record({
  x: fc.double({ min: 0, max: 1, noNaN: true }),
  y: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** Every point a path passes through or is pulled towards. */
const pathPoints = (commands: readonly PathCommand[]): Point[] =>
  commands.flatMap((command) => {
    switch (command.kind) {
      case 'dot':
        return [command.at];
      case 'quad':
        return [command.control, command.to];
      default:
        return [command.to];
    }
  });

describe('stroke width', () => {
  it('scales with the pad so a drawing looks the same at every size', () => {
    expect(strokeWidthFor(300)).toBeCloseTo(300 * STROKE_WIDTH_FRACTION);
    expect(strokeWidthFor(1200) / strokeWidthFor(300)).toBeCloseTo(4);
  });

  it('never draws thinner than one pixel', () => {
    expect(strokeWidthFor(1)).toBe(1);
    expect(strokeWidthFor(0)).toBe(1);
  });
});

describe('pad coordinates', () => {
  it('maps element offsets to fractions of the pad, clamped to it', () => {
    expect(toPadPoint(150, 75, 300, 300)).toEqual({ x: 0.5, y: 0.25 });
    expect(toPadPoint(-20, 400, 300, 300)).toEqual({ x: 0, y: 1 });
    expect(toPadPoint(10, 10, 0, 0)).toEqual({ x: 0, y: 0 });
  });

  it('keeps points that moved at least the minimum distance', () => {
    expect(isDistinctPoint(undefined, { x: 0, y: 0 })).toBe(true);
    expect(isDistinctPoint({ x: 0.5, y: 0.5 }, { x: 0.5 + MIN_POINT_DISTANCE / 2, y: 0.5 })).toBe(false);
    expect(isDistinctPoint({ x: 0.5, y: 0.5 }, { x: 0.5 + MIN_POINT_DISTANCE, y: 0.5 })).toBe(true);
  });
});

describe('strokePath', () => {
  it('draws nothing for no samples and a dot for one', () => {
    expect(strokePath([])).toEqual([]);
    expect(strokePath([{ x: 0.2, y: 0.3 }])).toEqual([{ kind: 'dot', at: { x: 0.2, y: 0.3 } }]);
  });

  it('draws a straight line for two samples', () => {
    expect(
      strokePath([
        { x: 0, y: 0 },
        { x: 1, y: 1 },
      ]),
    ).toEqual([
      { kind: 'move', to: { x: 0, y: 0 } },
      { kind: 'line', to: { x: 1, y: 1 } },
    ]);
  });

  it('rounds corners with curves through midpoints, using the samples as control points', () => {
    const corner = [
      { x: 0, y: 0 },
      { x: 1, y: 0 },
      { x: 1, y: 1 },
    ];
    expect(strokePath(corner)).toEqual([
      { kind: 'move', to: { x: 0, y: 0 } },
      { kind: 'line', to: { x: 0.5, y: 0 } },
      { kind: 'quad', control: { x: 1, y: 0 }, to: { x: 1, y: 1 } },
    ]);
  });

  it('starts at the first sample, ends at the last and stays inside their bounding box', () => {
    fc.assert(
      fc.property(fc.array(point, { minLength: 2, maxLength: 60 }), (samples) => {
        const commands = strokePath(samples);
        const points = pathPoints(commands);
        expect(commands[0]).toEqual({ kind: 'move', to: samples[0] });
        expect(points.at(-1)).toEqual(samples.at(-1));
        const xs = samples.map((p) => p.x);
        const ys = samples.map((p) => p.y);
        for (const p of points) {
          expect(p.x).toBeGreaterThanOrEqual(Math.min(...xs) - 1e-12);
          expect(p.x).toBeLessThanOrEqual(Math.max(...xs) + 1e-12);
          expect(p.y).toBeGreaterThanOrEqual(Math.min(...ys) - 1e-12);
          expect(p.y).toBeLessThanOrEqual(Math.max(...ys) + 1e-12);
        }
        // One segment per sample after the first: no sample is skipped.
        expect(commands.length).toBe(samples.length);
      }),
    );
  });
});

describe('StrokeHistory', () => {
  const a = { x: 0.1, y: 0.1 };
  const b = { x: 0.5, y: 0.5 };
  const c = { x: 0.9, y: 0.9 };

  it('starts empty and collects a stroke from begin to end', () => {
    const history = new StrokeHistory();
    expect(history.isEmpty).toBe(true);
    history.begin(a);
    expect(history.isDrawing).toBe(true);
    expect(history.extend(b)).toBe(true);
    expect(history.end()).toBe(true);
    expect(history.isDrawing).toBe(false);
    expect(history.strokes).toEqual([[a, b]]);
  });

  it('ignores points outside a stroke and points that add nothing', () => {
    const history = new StrokeHistory();
    expect(history.extend(a)).toBe(false);
    expect(history.end()).toBe(false);
    history.begin(a);
    expect(history.extend({ x: a.x + MIN_POINT_DISTANCE / 10, y: a.y })).toBe(false);
    expect(history.strokes).toEqual([[a]]);
  });

  it('shows the open stroke after the finished ones', () => {
    const history = new StrokeHistory();
    history.begin(a);
    history.end();
    history.begin(b);
    history.extend(c);
    expect(history.strokes).toEqual([[a], [b, c]]);
  });

  it('finishes a stroke left open when the next one begins (a lost pointerup)', () => {
    const history = new StrokeHistory();
    history.begin(a);
    history.begin(b);
    history.end();
    expect(history.strokes).toEqual([[a], [b]]);
  });

  it('undoes the last stroke only, one at a time, until empty', () => {
    const history = new StrokeHistory();
    for (const p of [a, b, c]) {
      history.begin(p);
      history.end();
    }
    expect(history.undo()).toBe(true);
    expect(history.strokes).toEqual([[a], [b]]);
    expect(history.undo()).toBe(true);
    expect(history.undo()).toBe(true);
    expect(history.isEmpty).toBe(true);
    expect(history.undo()).toBe(false);
  });

  it('undo while drawing drops the stroke in progress', () => {
    const history = new StrokeHistory();
    history.begin(a);
    history.end();
    history.begin(b);
    expect(history.undo()).toBe(true);
    expect(history.isDrawing).toBe(false);
    expect(history.strokes).toEqual([[a]]);
  });

  it('clear removes everything, including an open stroke', () => {
    const history = new StrokeHistory();
    history.begin(a);
    history.end();
    history.begin(b);
    history.clear();
    expect(history.isEmpty).toBe(true);
    expect(history.strokes).toEqual([]);
  });
});
