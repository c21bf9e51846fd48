/** Shapes answers shared by the predict routes. */

import { CLASS_COUNT } from '../../core/model-spec.ts';

/** The answer for image `index` of a batch of probabilities (10 per image). */
export function toPrediction(probabilities: Float32Array, index: number) {
  const row = Array.from(probabilities.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT));
  let digit = 0;
  for (let d = 1; d < CLASS_COUNT; d++) if ((row[d] as number) > (row[digit] as number)) digit = d;
  return { digit, confidence: row[digit] as number, probabilities: row };
}
