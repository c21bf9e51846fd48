import { describe, expect, it } from 'vitest';
import { BenchArgumentError, DEFAULT_REPORT, parseBenchArgs, SECTIONS } from '../../bench/lib/args.ts';

describe('parseBenchArgs', () => {
  it('runs every section and writes BENCHMARKS.md by default', () => {
    expect(parseBenchArgs([])).toEqual({
      sections: [...SECTIONS],
      quick: false,
      out: DEFAULT_REPORT,
      help: false,
    });
  });

  it('keeps SECTIONS order and adds the floor that ratio targets need', () => {
    expect(parseBenchArgs(['--only', 'http']).sections).toEqual(['floor', 'http']);
    expect(parseBenchArgs(['--only=http,floor']).sections).toEqual(['floor', 'http']);
    expect(parseBenchArgs(['--only', 'size,workerd']).sections).toEqual(['floor', 'workerd', 'size']);
    expect(parseBenchArgs(['--only', 'size, train']).sections).toEqual(['size', 'train']);
  });

  it('never overwrites the report from a quick or partial run unless told where to write', () => {
    expect(parseBenchArgs(['--quick']).out).toBeNull();
    expect(parseBenchArgs(['--only', 'size']).out).toBeNull();
    expect(parseBenchArgs(['--quick', '--out', '/tmp/b.md'])).toMatchObject({
      quick: true,
      out: '/tmp/b.md',
    });
  });

  it('refuses unknown sections, flags and missing values', () => {
    expect(() => parseBenchArgs(['--only', 'gpu'])).toThrow(BenchArgumentError);
    expect(() => parseBenchArgs(['--only', ','])).toThrow(/comma-separated/);
    expect(() => parseBenchArgs(['--only'])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--out='])).toThrow(/needs a value/);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown option --fast/);
  });

  it('recognises --help', () => {
    expect(parseBenchArgs(['-h']).help).toBe(true);
  });
});
