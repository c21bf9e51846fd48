/**
 * The one chart engine: pure geometry for the project's small SVG charts (numbers in, scales, ticks, path
 * strings and shades out). Two renderers draw it: training/charts.ts writes the exported model's SVG
 * pictures, and the site's LineChart.astro and model page render the same charts as markup at build time.
 */

import type { EpochRecord } from './manifest.ts';

export interface ChartBox {
  readonly width: number;
  readonly height: number;
  /** Space for axis labels: top, right, bottom, left. */
  readonly padding: readonly [number, number, number, number];
}

interface Tick {
  readonly value: number;
  /** Position along the axis in SVG units. */
  readonly at: number;
}

export interface LineChart {
  readonly paths: readonly string[];
  /** Markers per series, only for short histories where single epochs matter (at most MARKER_LIMIT). */
  readonly points: readonly (readonly { readonly x: number; readonly y: number }[])[];
  readonly xTicks: readonly Tick[];
  readonly yTicks: readonly Tick[];
  readonly plot: {
    readonly left: number;
    readonly top: number;
    readonly right: number;
    readonly bottom: number;
  };
}

/**
 * The linear map taking `from` onto `to` (either may run backwards, as SVG's y axis does).
 *
 * @example linearScale([0, 1], [100, 0])(0.25) // 75
 */
export function linearScale(
  from: readonly [number, number],
  to: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = from;
  const [r0, r1] = to;
  return (value) => r0 + ((value - d0) / (d1 - d0)) * (r1 - r0);
}

/**
 * Up to about `count` round tick values covering [min, max] (steps of 1, 2 or 5 times a power of ten).
 *
 * @example niceTicks(0, 1, 5) // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min];
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  // Allow steps a little under the rough one: a few more ticks read better than too few.
  const step = ([1, 2, 5, 10].find((m) => m * power >= rough * 0.7) ?? 10) * power;
  const ticks: number[] = [];
  for (let value = Math.ceil(min / step - 1e-9) * step; value <= max + step * 1e-9; value += step) {
    ticks.push(Number(value.toFixed(10)));
  }
  return ticks;
}

/** Histories up to this many epochs get a marker on every epoch. */
const MARKER_LIMIT = 30;

/**
 * Lines for series sharing an x axis of epochs 1..n, with the y axis spanning all values (or `yDomain`).
 * Non-finite values break nothing: they are skipped.
 */
export function lineChart(
  series: readonly (readonly number[])[],
  box: ChartBox,
  yDomain?: [number, number],
): LineChart {
  const [top, right, bottom, left] = box.padding;
  const plot = { left, top, right: box.width - right, bottom: box.height - bottom };
  const finite = series.flat().filter(Number.isFinite);
  const [yMin, yMax] = yDomain ?? [
    Math.min(...finite, Number.POSITIVE_INFINITY),
    Math.max(...finite, Number.NEGATIVE_INFINITY),
  ];
  let low = Number.isFinite(yMin) ? yMin : 0;
  let high = Number.isFinite(yMax) && yMax > low ? yMax : low + 1;
  let tickValues = niceTicks(low, high, 4);
  const [first, second] = tickValues;
  if (yDomain === undefined && first !== undefined && second !== undefined) {
    // Widen a data-derived range to whole tick steps, so the extreme points sit on labelled gridlines.
    const step = second - first;
    const from = Math.floor(low / step + 1e-9);
    const to = Math.ceil(high / step - 1e-9);
    tickValues = Array.from({ length: to - from + 1 }, (_, i) => Number(((from + i) * step).toFixed(10)));
    low = tickValues[0] ?? low;
    high = tickValues.at(-1) ?? high;
  }
  const length = Math.max(...series.map((values) => values.length), 1);
  const x =
    length === 1 ? () => (plot.left + plot.right) / 2 : linearScale([0, length - 1], [plot.left, plot.right]);
  const y = linearScale([low, high], [plot.bottom, plot.top]);
  const paths = series.map((values) =>
    values
      .map((value, index) =>
        Number.isFinite(value) ? `${x(index).toFixed(1)},${y(value).toFixed(1)}` : null,
      )
      .filter((point) => point !== null)
      .map((point, index) => `${index === 0 ? 'M' : 'L'}${point}`)
      .join(' '),
  );
  const points = series.map((values) =>
    values.length > MARKER_LIMIT
      ? []
      : values.flatMap((value, index) =>
          Number.isFinite(value) ? [{ x: Number(x(index).toFixed(1)), y: Number(y(value).toFixed(1)) }] : [],
        ),
  );
  const xTicks = niceTicks(1, length, Math.min(length - 1, 6))
    .filter((epoch) => Number.isInteger(epoch))
    .map((epoch) => ({ value: epoch, at: x(epoch - 1) }));
  const yTicks = tickValues.map((value) => ({ value, at: y(value) }));
  return { paths, points, xTicks, yTicks, plot };
}

/** One panel of training curves: a title, training vs validation per epoch, and how to label its y axis. */
export interface CurvePanel {
  readonly title: string;
  readonly series: readonly {
    readonly name: 'training' | 'validation';
    readonly values: readonly number[];
  }[];
  readonly formatY: (value: number) => string;
}

const CURVES = [
  { title: 'Loss', training: 'loss', validation: 'valLoss', formatY: (value: number) => value.toFixed(2) },
  {
    title: 'Accuracy',
    training: 'accuracy',
    validation: 'valAccuracy',
    formatY: (value: number) => `${Math.round(value * 1000) / 10}%`,
  },
] as const;

/** The two panels of training curves (loss, accuracy), drawn alike in the export's SVG and on /model. */
export function trainingCurvePanels(history: readonly EpochRecord[]): CurvePanel[] {
  return CURVES.map(({ title, training, validation, formatY }) => ({
    title,
    series: [
      { name: 'training', values: history.map((epoch) => epoch[training]) },
      { name: 'validation', values: history.map((epoch) => epoch[validation]) },
    ],
    formatY,
  }));
}

/** Cell shade 0..1 for a confusion-matrix count: square-root scale so single mistakes stay visible. */
export function confusionShade(count: number, largest: number): number {
  if (count <= 0 || largest <= 0) return 0;
  return Math.min(1, Math.sqrt(count / largest));
}

/**
 * Shades 0..1 for every cell of confusion[true][predicted]: the diagonal against the largest hit, mistakes
 * against the largest mistake, so the few mistakes are not washed out by the thousands of hits.
 */
export function confusionShades(confusion: readonly (readonly number[])[]): number[][] {
  const largestHit = Math.max(...confusion.map((row, truth) => row[truth] ?? 0), 1);
  const largestMistake = Math.max(
    ...confusion.flatMap((row, truth) => row.filter((_, predicted) => predicted !== truth)),
    1,
  );
  return confusion.map((row, truth) =>
    row.map((count, predicted) => confusionShade(count, predicted === truth ? largestHit : largestMistake)),
  );
}
