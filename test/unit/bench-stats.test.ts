import { describe, expect, it } from 'vitest';
import { blockMeans, median, percentile, scaleSummary, summarise } from '../../bench/lib/stats.ts';

describe('percentile (nearest rank)', () => {
  it('returns one of the samples', () => {
    const samples = [5, 1, 4, 2, 3];
    expect(percentile(samples, 0)).toBe(1);
    expect(percentile(samples, 20)).toBe(1);
    expect(percentile(samples, 21)).toBe(2);
    expect(percentile(samples, 50)).toBe(3);
    expect(percentile(samples, 100)).toBe(5);
  });

  it('gives the largest sample as p99 of fewer than 100 samples, the 99th of 100', () => {
    expect(percentile([3, 9, 1], 99)).toBe(9);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 99)).toBe(99);
  });

  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    percentile(samples, 50);
    expect(samples).toEqual([3, 1, 2]);
  });

  it('refuses no samples and percentiles outside 0..100', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], Number.NaN)).toThrow(RangeError);
  });
});

describe('median', () => {
  it('takes the middle sample, or the mean of the two middle ones', () => {
    expect(median([7, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('summarise', () => {
  it('reports count, median, p99, mean, min and max', () => {
    expect(summarise([2, 4, 6, 8])).toEqual({ count: 4, median: 5, p99: 8, mean: 5, min: 2, max: 8 });
  });

  it('scales every figure, e.g. a batch time into time per digit', () => {
    const perDigit = scaleSummary(summarise([64, 128]), 64);
    expect(perDigit).toEqual({ count: 2, median: 1.5, p99: 2, mean: 1.5, min: 1, max: 2 });
  });
});

describe('blockMeans', () => {
  it('averages consecutive blocks and drops a trailing partial block', () => {
    expect(blockMeans([1, 3, 2, 2, 9], 2)).toEqual([2, 2]);
    expect(blockMeans([1, 2, 3], 1)).toEqual([1, 2, 3]);
    expect(blockMeans([1, 2], 3)).toEqual([]);
  });

  it('refuses block sizes that are not positive integers', () => {
    expect(() => blockMeans([1], 0)).toThrow(RangeError);
    expect(() => blockMeans([1], 1.5)).toThrow(RangeError);
  });
});
