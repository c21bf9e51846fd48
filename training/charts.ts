/** Training curves and the confusion matrix as self-contained SVG (pure string building, no canvas). */
import type { EpochRecord } from '../core/manifest.ts';

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"';
const TRAIN_COLOUR = '#2563eb';
const VALIDATION_COLOUR = '#ea580c';

interface Series {
  readonly label: string;
  readonly colour: string;
  readonly values: readonly number[];
}

function linePanel(
  title: string,
  series: readonly Series[],
  x: number,
  width: number,
  height: number,
  percent: boolean,
) {
  const left = 52;
  const top = 34;
  const plotWidth = width - left - 16;
  const plotHeight = height - top - 44;
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let low = Math.min(...all);
  let high = Math.max(...all);
  if (high - low < 1e-9) {
    high += 0.5;
    low -= 0.5;
  }
  const pad = (high - low) * 0.08;
  // Loss never goes below 0 nor accuracy above 100%: keep the axis inside what the values can be.
  low = Math.max(0, low - pad);
  high = percent ? Math.min(1, high + pad) : high + pad;
  const count = Math.max(...series.map((s) => s.values.length));
  const px = (i: number) => x + left + (count <= 1 ? plotWidth / 2 : (i / (count - 1)) * plotWidth);
  const py = (v: number) => top + (1 - (v - low) / (high - low)) * plotHeight;
  const parts: string[] = [];
  parts.push(
    `<text x="${x + left}" y="20" font-size="14" font-weight="600" fill="currentColor">${escapeXml(title)}</text>`,
  );
  for (let t = 0; t <= 4; t++) {
    const v = low + ((high - low) * t) / 4;
    const y = py(v).toFixed(1);
    const label = percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3);
    parts.push(
      `<line x1="${x + left}" x2="${x + left + plotWidth}" y1="${y}" y2="${y}" stroke="currentColor" stroke-opacity="0.12"/>`,
      `<text x="${x + left - 6}" y="${y}" font-size="10" text-anchor="end" dominant-baseline="middle" fill="currentColor" fill-opacity="0.7">${label}</text>`,
    );
  }
  const step = Math.max(1, Math.ceil(count / 10));
  for (let i = 0; i < count; i += step) {
    parts.push(
      `<text x="${px(i).toFixed(1)}" y="${top + plotHeight + 16}" font-size="10" text-anchor="middle" fill="currentColor" fill-opacity="0.7">${i + 1}</text>`,
    );
  }
  parts.push(
    `<text x="${x + left + plotWidth / 2}" y="${top + plotHeight + 34}" font-size="11" text-anchor="middle" fill="currentColor" fill-opacity="0.8">epoch</text>`,
  );
  series.forEach((s, index) => {
    const points = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline points="${points}" fill="none" stroke="${s.colour}" stroke-width="2" stroke-linejoin="round"/>`,
    );
    for (const [i, v] of s.values.entries()) {
      parts.push(`<circle cx="${px(i).toFixed(1)}" cy="${py(v).toFixed(1)}" r="2.5" fill="${s.colour}"/>`);
    }
    const legendX = x + left + plotWidth - 150 + index * 80;
    parts.push(
      `<rect x="${legendX}" y="10" width="12" height="3" fill="${s.colour}"/>`,
      `<text x="${legendX + 16}" y="14" font-size="11" dominant-baseline="middle" fill="currentColor">${escapeXml(s.label)}</text>`,
    );
  });
  return parts.join('\n');
}

/** Loss and accuracy per epoch, training vs validation, side by side. */
export function trainingCurvesSvg(history: readonly EpochRecord[]): string {
  const width = 880;
  const height = 300;
  const half = width / 2;
  const body = [
    linePanel(
      'Loss',
      [
        { label: 'training', colour: TRAIN_COLOUR, values: history.map((h) => h.loss) },
        { label: 'validation', colour: VALIDATION_COLOUR, values: history.map((h) => h.valLoss) },
      ],
      0,
      half,
      height,
      false,
    ),
    linePanel(
      'Accuracy',
      [
        { label: 'training', colour: TRAIN_COLOUR, values: history.map((h) => h.accuracy) },
        { label: 'validation', colour: VALIDATION_COLOUR, values: history.map((h) => h.valAccuracy) },
      ],
      half,
      half,
      height,
      true,
    ),
  ].join('\n');
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
  const offDiagonalMax = Math.max(1, ...confusion.flatMap((row, r) => row.filter((_, c) => c !== r)));
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
    const total = row.reduce((a, b) => a + b, 0) || 1;
    row.forEach((count, c) => {
      const diagonal = r === c;
      const strength = diagonal
        ? 0.25 + 0.6 * (count / total)
        : count === 0
          ? 0
          : 0.12 + 0.75 * (count / offDiagonalMax);
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
  const px = (v: number) => left + ((v - low) / (1 - low)) * size;
  const py = (v: number) => top + (1 - (v - low) / (1 - low)) * size;
  const parts: string[] = [
    `<text x="${left}" y="18" font-size="14" font-weight="600" fill="currentColor">Reliability on the test digits</text>`,
    `<line x1="${px(low)}" y1="${py(low)}" x2="${px(1)}" y2="${py(1)}" stroke="currentColor" stroke-opacity="0.35" stroke-dasharray="4 4"/>`,
  ];
  for (let t = 0; t <= 5; t++) {
    const v = low + ((1 - low) * t) / 5;
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
