/**
 * Any accepted input raises the peak memory by at most DECODE_MEMORY_TARGET_BYTES while it is decoded and
 * preprocessed the way the API does (a POST /api/read bitmap: parsed and segmented): measured in a fresh Node
 * process per input (resident memory, polled by a sampler thread during the decode), for the largest input of
 * each kind that the limits accept.
 */

import { describe, expect, it } from 'vitest';
import { decodeCases } from '../../bench/decode.ts';
import { measureDecodePeak } from '../../bench/lib/decode-peak.ts';
import { DECODE_MEMORY_TARGET_BYTES } from '../../worker/input/decode-budget.ts';

describe('peak memory of decoding', () => {
  it.each(decodeCases())('$name stays within the budget', { timeout: 600_000 }, ({ name, images }) => {
    const bytes = images();
    const peak = measureDecodePeak(bytes);
    const outcomes = new Set(peak.outcomes);
    // The largest accepted inputs must be accepted, the bombs refused: otherwise the peak proves nothing.
    if (name.startsWith('bomb')) expect(outcomes.has('ok')).toBe(false);
    else if (!name.startsWith('batch')) expect([...outcomes]).toEqual(['ok']);
    else expect(outcomes.has('decode_budget_exceeded')).toBe(true);
    expect(peak.peakBytes).toBeLessThanOrEqual(DECODE_MEMORY_TARGET_BYTES);
  });
});
