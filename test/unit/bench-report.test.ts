import { describe, expect, it } from 'vitest';
import {
  benchmarksPage,
  formatKiB,
  formatMs,
  markdownTable,
  type SectionResult,
  summaryTable,
  terminalTable,
  verdictAtLeast,
  verdictAtMost,
} from '../../bench/lib/report.ts';
import { localScriptsOf, staticImportsOf, wranglerUploadSizes } from '../../bench/lib/size-parsing.ts';

const sections: SectionResult[] = [
  {
    title: 'Floor',
    rows: [{ area: 'Floor', figure: 'wasm, 1 digit', value: '0.600 ms' }],
    details: 'How the floor is measured.',
  },
  {
    title: 'Cold start',
    rows: [
      {
        area: 'Cold start',
        figure: 'first | answer',
        value: '140 ms',
        target: '≤ 100 ms',
        verdict: 'missed',
      },
      { area: 'Size', figure: 'bundle', value: '364.3 KiB', target: '≤ 400 KiB', verdict: 'met' },
    ],
    details: 'Fresh isolates.',
  },
];

describe('verdicts', () => {
  it('meet a limit inclusively', () => {
    expect(verdictAtMost(100, 100)).toBe('met');
    expect(verdictAtMost(100.01, 100)).toBe('missed');
    expect(verdictAtLeast(952, 952)).toBe('met');
    expect(verdictAtLeast(951, 952)).toBe('missed');
  });
});

describe('formatting', () => {
  it('gives milliseconds a precision that fits their size', () => {
    expect(formatMs(0.4821)).toBe('0.482 ms');
    expect(formatMs(12.345)).toBe('12.3 ms');
    expect(formatMs(1234.5)).toBe('1,235 ms');
    expect(formatKiB(2048)).toBe('2.0 KiB');
  });

  it('builds Markdown tables, escaping pipes and right-aligning numeric columns', () => {
    expect(markdownTable(['a', 'b'], [['1', 'x|y']], [0])).toBe('| a | b |\n|---:|---|\n| 1 | x\\|y |');
    expect(() => markdownTable(['a', 'b'], [['1']])).toThrow(RangeError);
  });

  it('marks missed targets in bold in the summary, and leaves rows without a target blank', () => {
    const table = summaryTable(sections).split('\n');
    expect(table).toHaveLength(5);
    expect(table[2]).toBe('| Floor | wasm, 1 digit | 0.600 ms |  |  |');
    expect(table[3]).toContain('| first \\| answer | 140 ms | ≤ 100 ms | **missed** |');
    expect(table[4]).toContain('| met |');
  });

  it('aligns the terminal table in columns', () => {
    const lines = terminalTable(sections).split('\n');
    expect(lines).toHaveLength(4);
    const verdictColumn = lines[0]?.indexOf('Verdict');
    expect(lines[2]?.indexOf('missed')).toBe(verdictColumn);
    expect(lines[3]?.indexOf('met')).toBe(verdictColumn);
  });

  it('writes a page with the machine, the date, the command, the summary and every section', () => {
    const page = benchmarksPage(
      {
        machine: { cpu: 'Test CPU', cores: 2, memoryGiB: 23.5, os: 'Linux 6', node: 'v22.23.3' },
        date: '2026-11-25T17:00:00.000Z',
        command: 'npm run bench',
        seconds: 321,
        notes: ['A training run was running.'],
      },
      sections,
    );
    expect(page).toContain('Written by `npm run bench` on 2026-11-25T17:00:00.000Z');
    expect(page).toContain('| CPU | Test CPU |');
    expect(page).toContain('| Node | v22.23.3 |');
    expect(page).toContain('- A training run was running.');
    expect(page.indexOf('## Summary')).toBeLessThan(page.indexOf('## Floor'));
    expect(page).toContain('## Cold start\n\nFresh isolates.\n');
    expect(page.endsWith('\n')).toBe(true);
  });
});

describe('size parsing', () => {
  it("reads wrangler's upload summary", () => {
    expect(wranglerUploadSizes('x\nTotal Upload: 1330.25 KiB / gzip: 364.30 KiB\ny')).toEqual({
      totalKiB: 1330.25,
      gzipKiB: 364.3,
    });
    expect(wranglerUploadSizes('no summary')).toEqual({ totalKiB: null, gzipKiB: null });
  });

  it("finds a page's own scripts, module preloads and inline code, not JSON or other origins", () => {
    const html = `<script type="module" src="/_astro/pad.js"></script>
      <script src="https://cdn.example/x.js"></script><link rel="modulepreload" href="/_astro/chunk.js">
      <script type="application/ld+json">{"a":1}</script><script>console.log(1)</script><script> </script>`;
    expect(localScriptsOf(html)).toEqual({
      sources: ['_astro/pad.js', '_astro/chunk.js'],
      inline: ['console.log(1)'],
    });
  });

  it('follows static imports of minified modules, not dynamic ones or bare packages', () => {
    const code =
      'import{a as b}from"./chunk.js";import"./side.js";export{c}from"../lib/c.js";import("./lazy.js");import x from"pkg"';
    expect(staticImportsOf(code, '_astro/page.js')).toEqual([
      '_astro/chunk.js',
      '_astro/side.js',
      'lib/c.js',
    ]);
  });
});
