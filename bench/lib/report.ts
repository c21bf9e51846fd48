/** Pure formatting of benchmark results: the summary table, target verdicts and the BENCHMARKS.md page. */

export type Verdict = 'met' | 'missed';

/** One figure of the summary table. */
export interface BenchRow {
  /** The part of the system, e.g. `Inference in workerd`. */
  readonly area: string;
  /** What was measured, e.g. `1 digit, median / p99`. */
  readonly figure: string;
  /** The measured value(s), already formatted. */
  readonly value: string;
  /** The target in words with its computed limit, e.g. `≤ 1.25 × floor = 0.79 ms`. */
  readonly target?: string;
  readonly verdict?: Verdict;
}

/** A section's figures plus the prose and detail tables it adds to the report. */
export interface SectionResult {
  readonly title: string;
  readonly rows: readonly BenchRow[];
  /** Markdown: method and details, written under the section's heading in BENCHMARKS.md. */
  readonly details: string;
}

export const verdictAtMost = (value: number, limit: number): Verdict => (value <= limit ? 'met' : 'missed');
export const verdictAtLeast = (value: number, limit: number): Verdict => (value >= limit ? 'met' : 'missed');

/** Milliseconds with sensible precision: 0.482 ms, 12.3 ms, 1,234 ms. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const digits = Math.abs(ms) < 10 ? 3 : Math.abs(ms) < 100 ? 1 : 0;
  return `${formatNumber(ms, digits)} ms`;
}

export const formatNumber = (value: number, fractionDigits = 0): string =>
  value.toLocaleString('en-GB', {
    minimumFractionDigits: fractionDigits,
    maximumFractionDigits: fractionDigits,
  });

/** Bytes as KiB with one decimal, plus the exact count. */
export const formatKiB = (bytes: number): string => `${formatNumber(bytes / 1024, 1)} KiB`;

export const formatRatio = (ratio: number): string => `${formatNumber(ratio, 2)}×`;

const escapeCell = (text: string): string => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

/**
 * A GitHub-flavoured Markdown table; `align` marks right-aligned (numeric) columns.
 *
 * @example markdownTable(['a', 'b'], [['1', '2']]) // '| a | b |\n|---|---|\n| 1 | 2 |'
 */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  for (const row of rows) {
    if (row.length !== header.length)
      throw new RangeError(`a row has ${row.length} cells, the header ${header.length}`);
  }
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (rightAligned.includes(i) ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const verdictCell = (row: BenchRow): string =>
  row.verdict === undefined ? '' : row.verdict === 'met' ? 'met' : '**missed**';

/** The summary table of every row of every section. */
export function summaryTable(sections: readonly SectionResult[]): string {
  const rows = sections.flatMap((section) =>
    section.rows.map((row) => [row.area, row.figure, row.value, row.target ?? '', verdictCell(row)]),
  );
  return markdownTable(['Area', 'Figure', 'Measured', 'Target', 'Verdict'], rows, [2]);
}

/** The same table for a terminal: aligned plain columns. */
export function terminalTable(sections: readonly SectionResult[]): string {
  const rows = [
    ['Area', 'Figure', 'Measured', 'Target', 'Verdict'],
    ...sections.flatMap((section) =>
      section.rows.map((row) => [row.area, row.figure, row.value, row.target ?? '', row.verdict ?? '']),
    ),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export interface MachineDescription {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly node: string;
}

export interface ReportContext {
  readonly machine: MachineDescription;
  /** ISO date-time the run started. */
  readonly date: string;
  readonly command: string;
  readonly seconds: number;
  /** Anything else running on the machine that the reader should know about (e.g. a training run). */
  readonly notes: readonly string[];
}

/** The whole BENCHMARKS.md page. */
export function benchmarksPage(context: ReportContext, sections: readonly SectionResult[]): string {
  const { machine } = context;
  const parts = [
    '# Benchmarks',
    '',
    `Written by \`${context.command}\` on ${context.date} (took ${formatNumber(context.seconds)} s). Every target is`,
    'a ratio against a baseline measured in the same run, or an absolute size; benchmarks print figures and',
    'never fail: a missed target says **missed**. See docs/benchmarks.md for what each figure means.',
    '',
    markdownTable(
      ['Machine', ''],
      [
        ['CPU', machine.cpu],
        ['Cores', String(machine.cores)],
        ['Memory', `${formatNumber(machine.memoryGiB, 1)} GiB`],
        ['OS', machine.os],
        ['Node', machine.node],
      ],
    ),
    '',
    ...(context.notes.length > 0 ? [...context.notes.map((note) => `- ${note}`), ''] : []),
    '## Summary',
    '',
    summaryTable(sections),
    '',
    ...sections.flatMap((section) => [`## ${section.title}`, '', section.details.trim(), '']),
  ];
  return `${parts.join('\n').trimEnd()}\n`;
}
