import { describe, expect, it } from 'vitest';
import { trustMessage } from '../../site/src/pad/format.ts';
import { parsePrediction } from '../../site/src/pad/prediction-client.ts';

const probabilities = [0, 0, 0, 0, 0.48, 0, 0, 0.04, 0, 0.48 - 1e-6];

describe('the pad’s trust message', () => {
  it('names the two most likely digits when the API is not sure', () => {
    expect(trustMessage({ probabilities, uncertain: true, isDigit: true })).toBe(
      'not sure — is it a 4 or a 9?',
    );
    const swapped = [...probabilities].reverse();
    expect(trustMessage({ probabilities: swapped, uncertain: true, isDigit: true })).toBe(
      'not sure — is it a 5 or a 0?',
    );
  });

  it('says when the drawing does not look like a digit, before anything else', () => {
    expect(trustMessage({ probabilities, uncertain: true, isDigit: false })).toBe(
      'doesn’t look like a digit',
    );
  });

  it('stays quiet for a sure answer, an unknown isDigit and answers from older APIs', () => {
    expect(trustMessage({ probabilities, uncertain: false, isDigit: true })).toBeNull();
    expect(trustMessage({ probabilities, uncertain: false, isDigit: null })).toBeNull();
    const old = parsePrediction({ digit: 4, confidence: 0.48, probabilities, model: { version: 'v' } });
    expect(old).not.toBeNull();
    expect(trustMessage(old as NonNullable<typeof old>)).toBeNull();
  });
});
