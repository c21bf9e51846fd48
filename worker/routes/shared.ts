/** Shapes answers shared by the predict routes. */

import { interpretPrediction } from '../../core/confidence.ts';
import type { LoadedModel } from '../model/load-model.ts';

/**
 * Predictions for `count` images held back to back in `pixels`: calibrated probabilities (the manifest's
 * temperature, 1 when it has none), `uncertain` and `isDigit` (null when the model has no detector).
 */
export function predictImages(loaded: LoadedModel, pixels: Float32Array, count: number) {
  const outputs = { ...loaded.model.outputs(pixels, count), pixels };
  const { calibration, digitDetector } = loaded.manifest;
  return Array.from({ length: count }, (_, index) => {
    const { digit, confidence, probabilities, uncertain, isDigit } = interpretPrediction(
      outputs,
      index,
      calibration,
      digitDetector,
    );
    return { digit, confidence, probabilities, uncertain, isDigit };
  });
}
