/** POST /api/read: a written number from an image body, a multipart upload, a base64 image or a grey bitmap. */

import { PIXEL_COUNT } from '../../core/model-spec.ts';
import { pixelsForJson } from '../../core/preprocess.ts';
import {
  MAX_DIGITS,
  type NumberPlan,
  NumberReadError,
  type NumberReading,
  planNumber,
  type ReadDigit,
  readingUncertain,
  readPlan,
  type Size,
  scaleBox,
} from '../../core/segment-number.ts';
import type { ApiApp } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { type InkInput, inkFromImageBytes, inkFromJson } from '../input/ink-map-from-input.ts';
import { noInk } from '../input/pixels-from-input.ts';
import { startTiming } from '../middleware/api-headers.ts';
import type { ModelOutputs } from '../model/fused-model.ts';
import type { LoadedModel } from '../model/load-model.ts';
import { type ReadJson, readRoute } from './read-contract.ts';
import { oneImageMiddleware, predictionAt, readImageBody } from './shared.ts';

function toApiError(error: unknown): unknown {
  if (!(error instanceof NumberReadError)) return error;
  if (error.reason === 'empty') return noInk();
  return new ApiError(
    422,
    'too_many_digits',
    'Too many digits',
    `The image reads as ${error.message}; one line of at most ${MAX_DIGITS} digits is read. Crop it to one number.`,
  );
}

/** Segments the line, or throws the API's 422 for no ink or too many marks. */
function plan(input: InkInput): NumberPlan {
  try {
    return planNumber(input.map);
  } catch (error) {
    throw toApiError(error);
  }
}

/**
 * One digit of the answer: its prediction, its box in the input's pixels and, when asked for, the 28×28
 * image the model read (what POST /api/feedback takes). The one place a read digit is shaped, so per-digit
 * fields added to /api/predict's answer (uncertainty) are added here too.
 */
function answerDigit(
  loaded: LoadedModel,
  outputs: ModelOutputs & { readonly pixels: Float32Array },
  digit: ReadDigit,
  scale: { readonly from: Size; readonly to: Size },
  withPixels: boolean,
) {
  const start = digit.candidate * PIXEL_COUNT;
  return {
    ...predictionAt(loaded, outputs, digit.candidate),
    box: scaleBox(digit.box, scale.from, scale.to),
    ...(withPixels ? { pixels: pixelsForJson(outputs.pixels.subarray(start, start + PIXEL_COUNT)) } : {}),
  };
}

export function registerRead(app: ApiApp): void {
  app.openapi({ ...readRoute, middleware: oneImageMiddleware }, async (c) => {
    const decoded = startTiming(c, 'decode');
    const body = await readImageBody<ReadJson>(c.req);
    const input = await ('json' in body ? inkFromJson(body.json) : inkFromImageBytes(body.bytes));
    const segments = plan(input);
    decoded();
    const { version, include } = c.req.valid('query');
    const answer = await c.get('registry').run(version, c.get('waitUntil'), (loaded) => {
      const inferred = startTiming(c, 'inference');
      const count = segments.candidates.length;
      const outputs = { ...loaded.model.outputs(segments.inputs, count), pixels: segments.inputs };
      inferred();
      let reading: NumberReading;
      try {
        reading = readPlan(segments, outputs, loaded.manifest.segmentScorer);
      } catch (error) {
        throw toApiError(error);
      }
      const scale = { from: segments.size, to: input.source };
      const digits = reading.digits.map((digit) =>
        answerDigit(loaded, outputs, digit, scale, include === 'pixels'),
      );
      const confidence = digits.reduce((product, digit) => product * digit.confidence, 1);
      return {
        text: reading.text,
        digits,
        confidence,
        // Each answered digit with the segment score's doubt about its box, which the answer leaves out.
        uncertain: readingUncertain({
          confidence,
          digits: digits.map((d, i) => ({ ...d, whole: reading.digits[i]?.whole })),
        }),
        model: { version: loaded.version },
      };
    });
    return c.json(answer, 200);
  });
}
