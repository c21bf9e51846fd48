/** Whole percent for confidence figures, with "<1%" rather than a misleading "0%" for tiny chances. */
export function formatPercent(probability: number): string {
  const percent = probability * 100;
  if (percent > 0 && percent < 1) return '<1%';
  if (percent >= 99.5 && percent < 100) return '>99%';
  return `${Math.round(percent)}%`;
}

/** A short word for how sure the model is, so a 40% answer does not read like a 99% one. */
export function confidenceWord(confidence: number): string {
  if (confidence >= 0.9) return 'confident';
  if (confidence >= 0.6) return 'fairly sure';
  return 'unsure';
}

/** The message user-facing text for the plain-language error line. */
export function failureMessage(failure: 'timeout' | 'unreachable' | 'server' | 'rejected'): string {
  switch (failure) {
    case 'timeout':
      return 'The model is taking too long to answer. Trying again…';
    case 'unreachable':
      return 'Can’t reach the model right now. Trying again…';
    case 'server':
      return 'The model had a problem with that drawing. Trying again…';
    case 'rejected':
      return 'The model could not read that drawing. Try drawing it again.';
  }
}

/**
 * What the pad says instead of a confidence figure when the API flags the answer: not a digit, or not
 * sure between the two most likely digits. null when the answer can be shown as it is.
 */
export function trustMessage(prediction: {
  readonly probabilities: readonly number[];
  readonly uncertain?: boolean;
  readonly isDigit?: boolean | null;
}): string | null {
  if (prediction.isDigit === false) return 'doesn’t look like a digit';
  if (!prediction.uncertain) return null;
  const ranked = prediction.probabilities
    .map((probability, digit) => ({ probability, digit }))
    .sort((a, b) => b.probability - a.probability);
  return `not sure — is it a ${ranked[0]?.digit} or a ${ranked[1]?.digit}?`;
}
