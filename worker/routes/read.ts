/** POST /api/read: a written number from an image body, a multipart upload, a base64 image or a grey bitmap. */

import { endTime, startTime } from 'hono/timing';
import {
  chooseReading,
  MAX_DIGITS,
  type NumberPlan,
  NumberReadError,
  type NumberReading,
  planNumber,
  scaleBox,
} from '../../core/segment-number.ts';
import type { ApiApp } from '../app-types.ts';
import { ApiError } from '../errors.ts';
import { type InkInput, inkFromImageBytes, inkFromJson, noInk } from '../input/ink-map-from-input.ts';
import { bodyKindOf } from '../input/pixels-from-input.ts';
import { limitBody } from '../middleware/limit-body.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { type ReadJson, readRoute } from './read-contract.ts';

async function readInk(
  request: Request,
  kind: ReturnType<typeof bodyKindOf>,
  json: unknown,
  form: unknown,
): Promise<InkInput> {
  if (kind === 'json') return inkFromJson(json as ReadJson);
  if (kind === 'image') return inkFromImageBytes(new Uint8Array(await request.arrayBuffer()));
  const file = (form as Record<string, unknown>).image;
  if (!(file instanceof File)) {
    throw new ApiError(
      400,
      'invalid_request',
      'Invalid request',
      'The multipart body needs one file field named "image".',
    );
  }
  return inkFromImageBytes(new Uint8Array(await file.arrayBuffer()));
}

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
 * The answer: every digit with its box in the input's pixels. The one place a read digit is shaped, so
 * per-digit fields added to /api/predict's answer (uncertainty) are added here too.
 */
function toReadAnswer(
  reading: NumberReading,
  from: NumberPlan['size'],
  source: InkInput['source'],
  version: string,
) {
  return {
    text: reading.text,
    digits: reading.digits.map((digit) => ({
      digit: digit.digit,
      confidence: digit.confidence,
      probabilities: digit.probabilities,
      box: scaleBox(digit.box, from, source),
    })),
    confidence: reading.confidence,
    model: { version },
  };
}

export function registerRead(app: ApiApp): void {
  app.openapi(
    { ...readRoute, middleware: [rateLimit('predict'), limitBody(['json', 'image', 'multipart'])] },
    async (c) => {
      const kind = bodyKindOf(c.req.header('content-type'));
      // zod-openapi types `valid` only for routes with one body type; ours declares four.
      const validated = c.req.valid.bind(c.req) as unknown as (target: 'json' | 'form') => unknown;
      const json = kind === 'json' ? validated('json') : undefined;
      const form = kind === 'multipart' ? validated('form') : undefined;
      startTime(c, 'decode', 'Input decoding and segmentation');
      const input = await readInk(c.req.raw, kind, json, form);
      const segments = plan(input);
      endTime(c, 'decode');
      const { version } = c.req.valid('query');
      const answer = await c.var.registry.run(version, c.var.waitUntil, (loaded) => {
        startTime(c, 'inference', 'Model inference, all candidate digits in one batch');
        const probabilities = loaded.model.predict(segments.inputs, segments.candidates.length);
        endTime(c, 'inference');
        let reading: NumberReading;
        try {
          reading = chooseReading(segments, probabilities);
        } catch (error) {
          throw toApiError(error);
        }
        return toReadAnswer(reading, segments.size, input.source, loaded.version);
      });
      return c.json(answer, 200);
    },
  );
}
