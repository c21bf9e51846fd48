import { describe, expect, it } from 'vitest';
import {
  confusionShade,
  formatAccuracy,
  formatBytes,
  lineChart,
  niceTicks,
} from '../../site/src/model-page/charts.ts';
import { describeServedModel } from '../../site/src/model-page/served-model.ts';

describe('niceTicks', () => {
  it('picks round steps covering the range', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.031, 0.29, 4)).toEqual([0.05, 0.1, 0.15, 0.2, 0.25]);
    expect(niceTicks(1, 12, 6)).toEqual([2, 4, 6, 8, 10, 12]);
  });

  it('returns the single value of an empty range', () => {
    expect(niceTicks(3, 3, 4)).toEqual([3]);
  });
});

describe('lineChart', () => {
  const box = { width: 200, height: 100, padding: [10, 10, 20, 30] as const };

  it('maps the first epoch to the left edge, the last to the right, and the range to the plot height', () => {
    const chart = lineChart([[1, 0.5, 0]], box);
    expect(chart.paths[0]).toBe('M30.0,10.0 L110.0,45.0 L190.0,80.0');
  });

  it('puts larger values higher and respects a fixed domain', () => {
    const chart = lineChart([[0.5, 1]], box, [0, 1]);
    expect(chart.paths[0]).toBe('M30.0,45.0 L190.0,10.0');
    expect(chart.yTicks.map((tick) => tick.value)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(chart.yTicks[0]?.at).toBe(80);
  });

  it('widens a data-derived range to whole ticks, so the extremes sit on gridlines', () => {
    const chart = lineChart([[0.93, 0.987]], box);
    const values = chart.yTicks.map((tick) => tick.value);
    expect(values[0]).toBeLessThanOrEqual(0.93);
    expect(values.at(-1)).toBeGreaterThanOrEqual(0.987);
    expect(chart.yTicks[0]?.at).toBe(chart.plot.bottom);
    expect(chart.yTicks.at(-1)?.at).toBe(chart.plot.top);
  });

  it('labels whole epochs only and skips missing values', () => {
    const chart = lineChart([[0.1, Number.NaN, 0.3]], box);
    expect(chart.xTicks.every((tick) => Number.isInteger(tick.value))).toBe(true);
    expect(chart.paths[0]?.split(' ')).toHaveLength(2);
  });

  it('centres a single epoch and marks it, since a one-point line draws nothing', () => {
    const chart = lineChart([[0.7]], box);
    expect(chart.paths[0]).toMatch(/^M110\.0,/);
    expect(chart.points[0]).toEqual([{ x: 110, y: expect.any(Number) }]);
  });

  it('marks every epoch of a short history only', () => {
    expect(lineChart([[0.1, 0.2, 0.3]], box).points[0]).toHaveLength(3);
    expect(lineChart([Array.from({ length: 31 }, (_, i) => i)], box).points[0]).toEqual([]);
  });
});

describe('formatting', () => {
  it('shades confusion counts on a square-root scale', () => {
    expect(confusionShade(0, 100)).toBe(0);
    expect(confusionShade(25, 100)).toBe(0.5);
    expect(confusionShade(100, 100)).toBe(1);
  });

  it('writes sizes and accuracies for people', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(5_300)).toBe('5.3 KB');
    expect(formatBytes(221_500)).toBe('222 KB');
    expect(formatBytes(2_400_000)).toBe('2.4 MB');
    expect(formatAccuracy(0.99412)).toBe('99.41%');
  });
});

describe('describeServedModel', () => {
  it('says nothing when the API serves the version the page was built with, or answers nonsense', () => {
    expect(describeServedModel({ version: 'v1' }, 'v1')).toBeNull();
    expect(describeServedModel(null, 'v1')).toBeNull();
    expect(describeServedModel({ version: 3 }, 'v1')).toBeNull();
  });

  it('points out a version published after the build', () => {
    expect(describeServedModel({ version: 'v2' }, 'v1')).toMatch(/now serves model v2.*describe v1/);
  });

  it('names the served version when the page was built without a model', () => {
    expect(describeServedModel({ version: 'v2' }, null)).toBe('The API serves model v2.');
  });
});
