/**
 * One zod schema per request and response shape: the routes validate with them and the OpenAPI 3.1
 * document at /api/openapi.json is generated from them.
 */

import { z } from '@hono/zod-openapi';
import {
  EvaluationMetricsSchema,
  FileEntrySchema,
  PrecisionSchema,
  VersionNameSchema,
} from '../core/manifest.ts';
import { CLASS_COUNT, PIXEL_COUNT } from '../core/model-spec.ts';

const MAX_BATCH = 256;
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
/** Raw image bodies and multipart files: at most 5 MB, stated once here (body limits, schemas, docs). */
export const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** Longest base64 string accepted for one image (the largest image, base64-encoded, with a data: prefix). */
const MAX_BASE64_CHARS = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 128;

/**
 * `pixels` checked in one pass: a per-element zod schema (`z.array(z.number().min(0).max(1))`) spent 3 ms
 * on the 50,176 numbers of a batch of 64, this loop 0.1 ms. Reports the first bad element, with its index.
 */
function checkPixels(value: unknown, context: z.RefinementCtx): void {
  if (!Array.isArray(value)) {
    context.addIssue({ code: 'custom', message: `expected an array of ${PIXEL_COUNT} numbers` });
    return;
  }
  if (value.length !== PIXEL_COUNT) {
    context.addIssue({
      code: 'custom',
      message: `expected exactly ${PIXEL_COUNT} numbers, got ${value.length}`,
    });
  }
  for (let i = 0; i < value.length; i++) {
    const pixel: unknown = value[i];
    if (typeof pixel !== 'number' || !(pixel >= 0 && pixel <= 1)) {
      const shown = typeof pixel === 'number' ? String(pixel) : (JSON.stringify(pixel) ?? typeof pixel);
      context.addIssue({
        code: 'custom',
        path: [i],
        message: `expected a number from 0 to 1, got ${shown.slice(0, 40)}`,
      });
      return;
    }
  }
}

export const PixelsInput = z
  .strictObject({
    pixels: z
      .custom<number[]>(() => true)
      .superRefine(checkPixels)
      .openapi({
        type: 'array',
        items: { type: 'number', minimum: 0, maximum: 1 },
        minItems: PIXEL_COUNT,
        maxItems: PIXEL_COUNT,
        description: '28×28 grey values row by row, 0 = background, 1 = ink (MNIST convention).',
      }),
  })
  .openapi('PixelsInput');

export const ImageInput = z
  .strictObject({
    image: z.string().min(1).max(MAX_BASE64_CHARS).openapi({
      description:
        'A base64 PNG or JPEG (a `data:image/png;base64,` prefix is allowed): baseline JPEG up to 8192×8192 (EXIF orientation applied), progressive JPEG up to 2.5 MP, PNG up to 2048×2048 and 16 MiB uncompressed. A request holds at most 12 Mi decoded pixels in all.',
    }),
  })
  .openapi('ImageInput');

export const PredictJsonBody = z.union([PixelsInput, ImageInput]).openapi('PredictJsonBody');

export const BatchBody = z
  .strictObject({ images: z.array(PredictJsonBody).min(1).max(MAX_BATCH) })
  .openapi('BatchBody');

export const MultipartBody = z
  .object({
    image: z.any().openapi({ type: 'string', format: 'binary', description: 'A PNG or JPEG file.' }),
  })
  .openapi('MultipartBody');

export const VersionQuery = z.object({
  version: VersionNameSchema.optional().openapi({
    description: 'Pin a published model version instead of the current one.',
    example: '3f9a1c0d2b7e4a65',
  }),
});

export const ModelRef = z.object({ version: z.string() }).openapi('ModelRef');

export const Prediction = z
  .object({
    digit: z.number().int().min(0).max(9),
    confidence: z
      .number()
      .min(0)
      .max(1)
      .openapi({ description: 'Calibrated probability of `digit` (temperature-scaled softmax).' }),
    probabilities: z.array(z.number()).length(CLASS_COUNT).openapi({
      description:
        'Calibrated probability of each digit 0–9, summing to 1: softmax(logits / T) with the temperature T fitted on validation digits (T = 1 for models without one). Same order and argmax as the raw softmax.',
    }),
    uncertain: z.boolean().openapi({
      description:
        'true when `confidence` is below the threshold chosen so that at most 1% of validation digits are flagged (0.5 for models without one): ask the user to redraw or confirm.',
    }),
    isDigit: z.boolean().nullable().openapi({
      description:
        "false when the image does not look like a digit (scribble, letter, shape, blob, texture, dirty paper), from a score on the network's penultimate layer; null when the served model has no detector.",
    }),
  })
  .openapi('Prediction');

export const PredictResponse = Prediction.extend({ model: ModelRef }).openapi('PredictResponse');

export const BatchResponse = z
  .object({ predictions: z.array(Prediction), model: ModelRef })
  .openapi('BatchResponse');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string().openapi({ description: 'Stable machine-readable error code.' }),
  })
  .openapi('Problem');

const FailureSchema = z
  .object({
    code: z
      .enum([
        'runtime_start_failed',
        'no_model_published',
        'pointer_invalid',
        'version_not_found',
        'version_refused',
        'storage_timeout',
        'storage_error',
      ])
      .openapi({ description: 'What failed, in stable words; the detail is in the Worker logs.' }),
    version: z.string().nullable(),
    at: z.string(),
  })
  .nullable()
  .openapi('LoadFailure');

export const HealthResponse = z
  .object({
    status: z.enum(['ok', 'degraded']),
    model: ModelRef.extend({ loadedAt: z.string() }),
    pointer: z.object({ version: z.string(), publishedAt: z.string() }).nullable(),
    lastFailure: FailureSchema,
    refreshSeconds: z.number(),
    runtime: z.object({ tensors: z.number().int(), bytes: z.number().int() }),
    time: z.string(),
  })
  .openapi('Health');

export const LiveResponse = z
  .object({ status: z.literal('live'), time: z.string() })
  .openapi('Live', { description: 'The Worker answers; says nothing about the model.' });

export const ReadyResponse = z
  .object({
    status: z.literal('ready'),
    model: ModelRef.extend({ loadedAt: z.string() }),
    time: z.string(),
  })
  .openapi('Ready', { description: 'A verified model is loaded and answers.' });

/** Self-reported accuracy of one model version, from the corrections in D1 (POST /api/feedback). */
const ConfusedPair = z
  .object({
    label: z.number().int().openapi({ description: 'The right digit (as the person said).' }),
    predicted: z.number().int().openapi({ description: 'What the model answered.' }),
    count: z.number().int(),
  })
  .openapi('ConfusedPair');

export const VersionFeedback = z
  .object({
    version: z.string(),
    received: z.number().int().openapi({ description: 'Answers received (✓ and ✗).' }),
    saidRight: z.number().int().openapi({ description: 'Answers saying the prediction was right.' }),
    shareRight: z.number().min(0).max(1).nullable(),
    confusedPairs: z
      .array(ConfusedPair)
      .openapi({ description: 'The most frequent wrong answers, most first.' }),
    lastAt: z.string().nullable(),
  })
  .openapi('VersionFeedback');

export const ModelResponse = z
  .object({
    version: z.string(),
    createdAt: z.string(),
    precision: PrecisionSchema,
    parameters: z.number().int(),
    sizeBytes: z.number().int().openapi({ description: 'Bytes of model.json and its weight shards.' }),
    architecture: z.array(
      z.object({
        name: z.string(),
        type: z.string(),
        outputShape: z.array(z.number()),
        parameters: z.number(),
        detail: z.string(),
      }),
    ),
    test: z.record(PrecisionSchema, EvaluationMetricsSchema),
    trust: z
      .object({
        temperature: z.number(),
        uncertainBelow: z.number(),
        eceBefore: z.number().nullable(),
        eceAfter: z.number().nullable(),
        digitDetector: z.boolean(),
        nonDigitsFlagged: z.number().nullable(),
        testDigitsFlagged: z.number().nullable(),
      })
      .openapi({
        description:
          'How `uncertain` and `isDigit` are computed for this version and how they measured on the test digits and generated non-digits (null: not measured).',
      }),
    files: z.array(FileEntrySchema),
    feedback: VersionFeedback.extend({ selfReported: z.literal(true) })
      .nullable()
      .openapi({
        description:
          'What people said about this version on the pad and through apps (null when feedback is off).',
      }),
  })
  .openapi('Model');

export type PredictJson = z.infer<typeof PredictJsonBody>;
export type VersionFeedback = z.infer<typeof VersionFeedback>;
