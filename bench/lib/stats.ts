/** Pure statistics over timing samples (milliseconds). */

export interface Summary {
  readonly count: number;
  readonly median: number;
  readonly p99: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/**
 * The `p`-th percentile (0..100) by the nearest-rank method: always one of the samples, so a p99 over
 * fewer than 100 samples is simply the largest.
 *
 * @example percentile([4, 1, 3, 2], 50) // 2
 */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('percentile of no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile ${p} is outside 0..100`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** The middle sample, or the mean of the two middle ones. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) throw new RangeError('median of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function summarise(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new RangeError('summary of no samples');
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const value of samples) {
    sum += value;
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return {
    count: samples.length,
    median: median(samples),
    p99: percentile(samples, 99),
    mean: sum / samples.length,
    min,
    max,
  };
}

/** Divides every sample by `divisor` (e.g. a batch's time into time per digit). */
export const scaleSummary = (summary: Summary, divisor: number): Summary => ({
  count: summary.count,
  median: summary.median / divisor,
  p99: summary.p99 / divisor,
  mean: summary.mean / divisor,
  min: summary.min / divisor,
  max: summary.max / divisor,
});

/**
 * Means of consecutive blocks of `size` samples (a trailing partial block is dropped): per-call timings
 * made comparable with timings that can only be taken over a block of calls.
 *
 * @example blockMeans([1, 3, 2, 2, 9], 2) // [2, 2]
 */
export function blockMeans(samples: readonly number[], size: number): number[] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`block size ${size} is not a positive integer`);
  const means: number[] = [];
  for (let start = 0; start + size <= samples.length; start += size) {
    let sum = 0;
    for (let i = start; i < start + size; i++) sum += samples[i] as number;
    means.push(sum / size);
  }
  return means;
}
