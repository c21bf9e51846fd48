/**
 * The exported model's pictures as self-contained SVG (pure string building, no canvas): training curves,
 * confusion matrix and reliability diagram, drawn with core/charts.ts, the engine the site's /model page uses.
 */
import {
  type CurvePanel,
  confusionShades,
  linearScale,
  lineChart,
  niceTicks,
  trainingCurvePanels,
} from '../core/charts.ts';
import type { EpochRecord } from '../core/manifest.ts';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
const TRAIN_COLOUR = '#2563eb';
const VALIDATION_COLOUR = '#ea580c';

const SERIES_COLOURS = { training: TRAIN_COLOUR, validation: VALIDATION_COLOUR } as const;

/** One panel of core/charts.ts's training curves as SVG, `width` × `height` from the origin. */
function linePanel(panel: CurvePanel, width: number, height: number): string {
  const chart = lineChart(
    panel.series.map((s) => s.values),
    { width, height, padding: [34, 16, 44, 52] },
  );
  const { plot } = chart;
  const parts = [
    `<text x="${plot.left}" y="20" font-size="14" font-weight="600" fill="currentColor">${escapeXml(panel.title)}</text>`,
  ];
  for (const tick of chart.yTicks) {
    const y = tick.at.toFixed(1);
    parts.push(
      `<line x1="${plot.left}" x2="${plot.right}" y1="${y}" y2="${y}" stroke="currentColor" stroke-opacity="0.12"/>`,
      `<text x="${plot.left - 6}" y="${y}" font-size="10" text-anchor="end" dominant-baseline="middle" fill="currentColor" fill-opacity="0.7">${panel.formatY(tick.value)}</text>`,
    );
  }
  for (const tick of chart.xTicks) {
    parts.push(
      `<text x="${tick.at.toFixed(1)}" y="${plot.bottom + 16}" font-size="10" text-anchor="middle" fill="currentColor" fill-opacity="0.7">${tick.value}</text>`,
    );
  }
  parts.push(
    `<text x="${(plot.left + plot.right) / 2}" y="${plot.bottom + 34}" font-size="11" text-anchor="middle" fill="currentColor" fill-opacity="0.8">epoch</text>`,
  );
  panel.series.forEach((s, index) => {
    const colour = SERIES_COLOURS[s.name];
    parts.push(
      `<path d="${chart.paths[index]}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"/>`,
    );
    for (const point of chart.points[index] ?? []) {
      parts.push(`<circle cx="${point.x}" cy="${point.y}" r="2.5" fill="${colour}"/>`);
    }
    const legendX = plot.right - 150 + index * 80;
    parts.push(
      `<rect x="${legendX}" y="10" width="12" height="3" fill="${colour}"/>`,
      `<text x="${legendX + 16}" y="14" font-size="11" dominant-baseline="middle" fill="currentColor">${s.name}</text>`,
    );
  });
  return parts.join('\n');
}

/** Loss and accuracy per epoch, training vs validation, side by side. */
export function trainingCurvesSvg(history: readonly EpochRecord[]): string {
  const width = 880;
  const height = 300;
  const half = width / 2;
  const body = trainingCurvePanels(history)
    .map(
      (panel, index) =>
        `<g transform="translate(${index * half} 0)">\n${linePanel(panel, half, height)}\n</g>`,
    )
    .join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT} role="img" aria-label="Training and validation loss and accuracy per epoch">
<title>Training curves</title>
${body}
</svg>
`;
}

/** A 10×10 heat map of confusion[true][predicted] with counts, diagonal in green, errors in red. */
export function confusionMatrixSvg(confusion: readonly (readonly number[])[]): string {
  const cell = 44;
  const left = 70;
  const top = 70;
  const size = confusion.length;
  const width = left + cell * size + 20;
  const height = top + cell * size + 20;
  const shades = confusionShades(confusion);
  const parts: string[] = [];
  parts.push(
    `<text x="${left + (cell * size) / 2}" y="22" font-size="13" font-weight="600" text-anchor="middle" fill="currentColor">predicted digit</text>`,
    `<text transform="translate(18 ${top + (cell * size) / 2}) rotate(-90)" font-size="13" font-weight="600" text-anchor="middle" fill="currentColor">true digit</text>`,
  );
  for (let i = 0; i < size; i++) {
    parts.push(
      `<text x="${left + i * cell + cell / 2}" y="${top - 10}" font-size="12" text-anchor="middle" fill="currentColor">${i}</text>`,
      `<text x="${left - 12}" y="${top + i * cell + cell / 2}" font-size="12" text-anchor="end" dominant-baseline="middle" fill="currentColor">${i}</text>`,
    );
  }
  confusion.forEach((row, r) => {
    row.forEach((count, c) => {
      const diagonal = r === c;
      const shade = shades[r]?.[c] ?? 0;
      const strength = diagonal ? 0.25 + 0.6 * shade : count === 0 ? 0 : 0.12 + 0.75 * shade;
      const fill = diagonal
        ? `rgba(22,163,74,${strength.toFixed(3)})`
        : `rgba(220,38,38,${strength.toFixed(3)})`;
      const x = left + c * cell;
      const y = top + r * cell;
      parts.push(
        `<rect x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" rx="4" fill="${fill}" stroke="currentColor" stroke-opacity="0.08"><title>true ${r}, predicted ${c}: ${count}</title></rect>`,
      );
      if (count > 0 || diagonal) {
        parts.push(
          `<text x="${x + cell / 2 - 1}" y="${y + cell / 2}" font-size="${diagonal ? 11 : 12}" text-anchor="middle" dominant-baseline="middle" fill="currentColor" ${diagonal ? '' : 'font-weight="600"'}>${count}</text>`,
        );
      }
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT} role="img" aria-label="Confusion matrix on the 10,000 MNIST test digits">
<title>Confusion matrix</title>
${parts.join('\n')}
</svg>
`;
}

interface ReliabilitySeries {
  readonly label: string;
  readonly colour: string;
  readonly ece: number;
  readonly bins: readonly { count: number; meanConfidence: number; accuracy: number }[];
}

/**
 * Reliability diagram: accuracy against mean confidence per confidence bin (dot area ∝ predictions in the
 * bin), before and after temperature scaling, with the diagonal of perfect calibration.
 */
export function reliabilityDiagramSvg(series: readonly ReliabilitySeries[], low = 0.5): string {
  const size = 300;
  const left = 56;
  const top = 40;
  const width = left + size + 24;
  const height = top + size + 48;
  const px = linearScale([low, 1], [left, left + size]);
  const py = linearScale([low, 1], [top + size, top]);
  const parts: string[] = [
    `<text x="${left}" y="18" font-size="14" font-weight="600" fill="currentColor">Reliability on the test digits</text>`,
    `<line x1="${px(low)}" y1="${py(low)}" x2="${px(1)}" y2="${py(1)}" stroke="currentColor" stroke-opacity="0.35" stroke-dasharray="4 4"/>`,
  ];
  for (const v of niceTicks(low, 1, 5)) {
    const label = `${Math.round(v * 100)}%`;
    parts.push(
      `<line x1="${left}" x2="${left + size}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="currentColor" stroke-opacity="0.1"/>`,
      `<text x="${left - 6}" y="${py(v).toFixed(1)}" font-size="10" text-anchor="end" dominant-baseline="middle" fill="currentColor" fill-opacity="0.7">${label}</text>`,
      `<text x="${px(v).toFixed(1)}" y="${top + size + 16}" font-size="10" text-anchor="middle" fill="currentColor" fill-opacity="0.7">${label}</text>`,
    );
  }
  parts.push(
    `<text x="${left + size / 2}" y="${top + size + 36}" font-size="11" text-anchor="middle" fill="currentColor">confidence</text>`,
    `<text transform="translate(14 ${top + size / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="currentColor">accuracy</text>`,
  );
  const total = Math.max(1, ...series.map((s) => s.bins.reduce((sum, b) => sum + b.count, 0)));
  series.forEach((s, index) => {
    const shown = s.bins.filter((b) => b.count > 0 && b.meanConfidence >= low);
    parts.push(
      `<polyline points="${shown.map((b) => `${px(b.meanConfidence).toFixed(1)},${py(Math.max(low, b.accuracy)).toFixed(1)}`).join(' ')}" fill="none" stroke="${s.colour}" stroke-width="1.5"/>`,
    );
    for (const b of shown) {
      const radius = 2 + 8 * Math.sqrt(b.count / total);
      parts.push(
        `<circle cx="${px(b.meanConfidence).toFixed(1)}" cy="${py(Math.max(low, b.accuracy)).toFixed(1)}" r="${radius.toFixed(1)}" fill="${s.colour}" fill-opacity="0.55"><title>${escapeXml(s.label)}: ${b.count} predictions, confidence ${(b.meanConfidence * 100).toFixed(1)}%, accuracy ${(b.accuracy * 100).toFixed(1)}%</title></circle>`,
      );
    }
    parts.push(
      `<rect x="${left + 12}" y="${top + 12 + index * 18}" width="12" height="3" fill="${s.colour}"/>`,
      `<text x="${left + 30}" y="${top + 14 + index * 18}" font-size="11" dominant-baseline="middle" fill="currentColor">${escapeXml(s.label)} (ECE ${(s.ece * 100).toFixed(2)}%)</text>`,
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT} role="img" aria-label="Reliability diagram: accuracy against confidence before and after temperature scaling">
<title>Reliability diagram</title>
${parts.join('\n')}
</svg>
`;
}
