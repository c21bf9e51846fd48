/** Accuracy, per-class accuracy and confusion matrix from predicted and true labels (pure). */
import { CLASS_COUNT } from '../core/model-spec.ts';

export interface ClassificationMetrics {
  readonly accuracy: number;
  readonly perClassAccuracy: number[];
  readonly confusion: number[][];
}

export function classificationMetrics(
  truth: ArrayLike<number>,
  predicted: ArrayLike<number>,
): ClassificationMetrics {
  const confusion = Array.from({ length: CLASS_COUNT }, () => new Array<number>(CLASS_COUNT).fill(0));
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const actual = truth[i] as number;
    const guess = predicted[i] as number;
    (confusion[actual] as number[])[guess] = ((confusion[actual] as number[])[guess] as number) + 1;
    if (actual === guess) correct++;
  }
  const perClassAccuracy = confusion.map((row, digit) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : (row[digit] as number) / total;
  });
  return { accuracy: truth.length === 0 ? 0 : correct / truth.length, perClassAccuracy, confusion };
}

/** Index of the largest value of each row of a row-major matrix with `width` columns. */
export function argmaxRows(values: ArrayLike<number>, width: number): Uint8Array {
  const rows = values.length / width;
  const result = new Uint8Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < width; c++)
      if ((values[r * width + c] as number) > (values[r * width + best] as number)) best = c;
    result[r] = best;
  }
  return result;
}
