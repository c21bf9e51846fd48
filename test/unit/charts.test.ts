import { describe, expect, it } from 'vitest';
import {
  confusionShade,
  confusionShades,
  linearScale,
  lineChart,
  niceTicks,
  trainingCurvePanels,
} from '../../core/charts.ts';
import type { EpochRecord } from '../../core/manifest.ts';
import { confusionMatrixSvg, reliabilityDiagramSvg, trainingCurvesSvg } from '../../training/charts.ts';

describe('linearScale', () => {
  it('maps a domain onto a range, backwards too', () => {
    expect(linearScale([0, 1], [100, 0])(0.25)).toBe(75);
    expect(linearScale([0.5, 1], [56, 356])(0.75)).toBe(206);
  });
});

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

describe('confusion shades', () => {
  it('shades counts on a square-root scale', () => {
    expect(confusionShade(0, 100)).toBe(0);
    expect(confusionShade(25, 100)).toBe(0.5);
    expect(confusionShade(100, 100)).toBe(1);
  });

  it('scales hits against the largest hit and mistakes against the largest mistake', () => {
    expect(
      confusionShades([
        [100, 4],
        [1, 25],
      ]),
    ).toEqual([
      [1, 1],
      [0.5, 0.5],
    ]);
  });
});

const history: EpochRecord[] = [1, 2, 3].map((epoch) => ({
  epoch,
  loss: 1 / epoch,
  accuracy: 0.9 + epoch / 100,
  valLoss: 1.1 / epoch,
  valAccuracy: 0.89 + epoch / 100,
  learningRate: 0.001,
  seconds: 60,
}));

describe('training curves', () => {
  it('are two panels, training and validation each, the same for the export and the site', () => {
    const [loss, accuracy] = trainingCurvePanels(history);
    expect(loss?.title).toBe('Loss');
    expect(loss?.series.map((s) => s.name)).toEqual(['training', 'validation']);
    expect(loss?.series[1]?.values).toEqual([1.1, 0.55, 1.1 / 3]);
    expect(accuracy?.series[0]?.values).toEqual([0.91, 0.92, 0.93]);
    expect(accuracy?.formatY(0.975)).toBe('97.5%');
    expect(loss?.formatY(0.5)).toBe('0.50');
  });

  it("are drawn into the export's SVG with the engine's paths and ticks", () => {
    const svg = trainingCurvesSvg(history);
    const [loss] = trainingCurvePanels(history);
    const chart = lineChart(loss?.series.map((s) => s.values) ?? [], {
      width: 440,
      height: 300,
      padding: [34, 16, 44, 52],
    });
    expect(svg).toContain(`d="${chart.paths[0]}"`);
    expect(svg.match(/<path /g)).toHaveLength(4);
    expect(svg).toMatch(/^<svg [^>]*viewBox="0 0 880 300"/);
  });
});

describe("the export's other pictures", () => {
  it('draw every confusion cell and the reliability bins as SVG', () => {
    const matrix = confusionMatrixSvg([
      [9, 1],
      [0, 10],
    ]);
    expect(matrix.match(/<rect /g)).toHaveLength(4);
    expect(matrix).toContain('<title>true 0, predicted 1: 1</title>');
    const reliability = reliabilityDiagramSvg([
      { label: 'raw', colour: '#000', ece: 0.05, bins: [{ count: 10, meanConfidence: 0.95, accuracy: 0.9 }] },
    ]);
    expect(reliability).toContain('raw (ECE 5.00%)');
    expect(reliability.match(/<circle /g)).toHaveLength(1);
  });
});
