import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestOnly } from '../../site/src/pad/latest-only.ts';
import { debounce, retryDelayMs } from '../../site/src/pad/timing.ts';

describe('LatestOnly', () => {
  it('shows answers that arrive in order', () => {
    const sequence = new LatestOnly();
    const first = sequence.next();
    const second = sequence.next();
    expect(sequence.accept(first)).toBe(true);
    expect(sequence.accept(second)).toBe(true);
  });

  it('drops a slower, older answer that arrives after a newer one', () => {
    const sequence = new LatestOnly();
    const older = sequence.next();
    const newer = sequence.next();
    expect(sequence.accept(newer)).toBe(true);
    expect(sequence.accept(older)).toBe(false);
  });

  it('drops every answer issued before an invalidation (the pad was cleared)', () => {
    const sequence = new LatestOnly();
    const before = sequence.next();
    sequence.invalidate();
    expect(sequence.accept(before)).toBe(false);
    const after = sequence.next();
    expect(sequence.accept(after)).toBe(true);
  });

  it('accepts each answer at most once and never an unissued ticket', () => {
    const sequence = new LatestOnly();
    const ticket = sequence.next();
    expect(sequence.accept(ticket)).toBe(true);
    expect(sequence.accept(ticket)).toBe(false);
    expect(sequence.accept(ticket + 1)).toBe(false);
  });

  it('knows which request is the newest', () => {
    const sequence = new LatestOnly();
    const first = sequence.next();
    expect(sequence.isNewest(first)).toBe(true);
    sequence.next();
    expect(sequence.isNewest(first)).toBe(false);
  });

  it('in any arrival order, shown answers only get newer and the newest one is always shown', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }).chain((count) =>
          fc.shuffledSubarray(
            Array.from({ length: count }, (_, i) => i + 1),
            { minLength: count, maxLength: count },
          ),
        ),
        (arrivals) => {
          const sequence = new LatestOnly();
          for (let i = 0; i < arrivals.length; i++) sequence.next();
          const shown = arrivals.filter((ticket) => sequence.accept(ticket));
          for (let i = 1; i < shown.length; i++) expect(shown[i]).toBeGreaterThan(shown[i - 1] as number);
          expect(shown.at(-1)).toBe(arrivals.length);
        },
      ),
    );
  });
});

describe('debounce', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs once, after the last call has been quiet for the wait', () => {
    const run = vi.fn();
    const debounced = debounce(run, 100);
    debounced.schedule();
    vi.advanceTimersByTime(60);
    debounced.schedule();
    vi.advanceTimersByTime(60);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(40);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('flush runs a pending call at once, and only a pending one', () => {
    const run = vi.fn();
    const debounced = debounce(run, 100);
    debounced.flush();
    expect(run).not.toHaveBeenCalled();
    debounced.schedule();
    debounced.flush();
    expect(run).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(200);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it('cancel drops a pending call', () => {
    const run = vi.fn();
    const debounced = debounce(run, 100);
    debounced.schedule();
    debounced.cancel();
    vi.advanceTimersByTime(200);
    expect(run).not.toHaveBeenCalled();
  });
});

describe('retryDelayMs', () => {
  it('doubles from one second up to eight', () => {
    expect([0, 1, 2, 3, 4, 10].map(retryDelayMs)).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  });
});
