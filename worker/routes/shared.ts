/** Shapes answers shared by the predict routes. */

import { interpretPrediction } from '../../core/confidence.ts';
import type { ModelOutputs } from '../model/fused-model.ts';
import type { LoadedModel } from '../model/load-model.ts';

/**
 * Predictions for `count` images held back to back in `pixels`: calibrated probabilities (the manifest's
 * temperature, 1 when it has none), `uncertain` and `isDigit` (null when the model has no detector).
 */
export function predictImages(loaded: LoadedModel, pixels: Float32Array, count: number) {
  const outputs = { ...loaded.model.outputs(pixels, count), pixels };
  return Array.from({ length: count }, (_, index) => predictionAt(loaded, outputs, index));
}

/** The answer for image `index` of one batched model call (`pixels` are that call's inputs). */
export function predictionAt(
  loaded: LoadedModel,
  outputs: ModelOutputs & { readonly pixels: Float32Array },
  index: number,
) {
  const { calibration, digitDetector } = loaded.manifest;
  const { digit, confidence, probabilities, uncertain, isDigit } = interpretPrediction(
    outputs,
    index,
    calibration,
    digitDetector,
  );
  return { digit, confidence, probabilities, uncertain, isDigit };
}
