/**
 * The contract of POST /api/read (reading a written number): its zod schemas, which validate requests and
 * generate the OpenAPI entry, and its route definition. Free of runtime code, like definitions.ts.
 */

import { createRoute, z } from '@hono/zod-openapi';
import { MAX_DIGITS, NUMBER_UNCERTAIN_BELOW } from '../../core/segment-number.ts';
import { ImageInput, ModelRef, PixelsInput, Prediction, VersionQuery } from '../schemas.ts';
import { imageBody, jsonAnswer, problemResponses } from './definitions.ts';

/** A grey bitmap sent as numbers may hold at most this many pixels (about 8 MB of JSON at most). */
const MAX_BITMAP_PIXELS = 1024 * 1024;

/** `pixels` checked in one pass (a per-element zod schema is far slower on a million numbers). */
function checkBitmap(value: { width: number; height: number; pixels: unknown }, context: z.RefinementCtx) {
  const { width, height, pixels } = value;
  if (width * height > MAX_BITMAP_PIXELS) {
    context.addIssue({
      code: 'custom',
      path: ['width'],
      message: `width × height is ${width * height}; at most ${MAX_BITMAP_PIXELS} pixels are accepted`,
    });
    return;
  }
  if (!Array.isArray(pixels) || pixels.length !== width * height) {
    context.addIssue({
      code: 'custom',
      path: ['pixels'],
      message: `expected an array of width × height = ${width * height} numbers`,
    });
    return;
  }
  for (let i = 0; i < pixels.length; i++) {
    const pixel: unknown = pixels[i];
    if (typeof pixel !== 'number' || !(pixel >= 0 && pixel <= 1)) {
      context.addIssue({
        code: 'custom',
        path: ['pixels', i],
        message: `expected a number from 0 to 1, got ${String(JSON.stringify(pixel)).slice(0, 40)}`,
      });
      return;
    }
  }
}

const BitmapInput = z
  .strictObject({
    width: z.number().int().min(1).max(4096),
    height: z.number().int().min(1).max(4096),
    pixels: z
      .custom<number[]>(() => true)
      .openapi({
        type: 'array',
        items: { type: 'number', minimum: 0, maximum: 1 },
        description: `width × height grey values row by row, 0 = paper, 1 = ink; at most ${MAX_BITMAP_PIXELS}.`,
      }),
  })
  .superRefine(checkBitmap)
  .openapi('BitmapInput');

// Bitmap first, image second: the branch order validation-error.ts explains union failures by.
const ReadJsonBody = z.union([BitmapInput, ImageInput]).openapi('ReadJsonBody');

const PixelBox = z
  .object({
    x: z.number().int().min(0),
    y: z.number().int().min(0),
    width: z.number().int().min(1),
    height: z.number().int().min(1),
  })
  .openapi('PixelBox', {
    description: "The digit's ink, in the input's own pixels (after EXIF orientation).",
  });

const ReadDigit = Prediction.extend({
  box: PixelBox,
  pixels: PixelsInput.shape.pixels.optional().openapi({
    description:
      'Only with `?include=pixels`: the 28×28 image the model read for this digit, row by row, ink = 1, three decimals. Send it as it is to POST /api/feedback when a person corrects this digit.',
  }),
}).openapi('ReadDigit');

const ReadQuery = VersionQuery.extend({
  include: z.enum(['pixels']).optional().openapi({
    description: "`pixels`: each digit also carries `pixels`, the model's 28×28 input for it.",
  }),
});

const ReadResponse = z
  .object({
    text: z
      .string()
      .regex(/^[0-9]{1,16}$/)
      .openapi({
        description:
          'The digits read, left to right. Marks that are no digit are left out: a decimal point, a dash between groups, specks and ruled lines.',
      }),
    digits: z.array(ReadDigit).min(1).max(MAX_DIGITS),
    confidence: z.number().min(0).max(1).openapi({
      description:
        "The product of the digits' confidences: the model's belief that the whole number is right.",
    }),
    uncertain: z.boolean().openapi({
      description: `true when the reading should be checked by a person: a digit is \`uncertain\` or not a digit, \`confidence\` is below ${NUMBER_UNCERTAIN_BELOW}, or a box is unlikely to hold one whole digit (a merged pair or a fragment). Chosen on numbers of validation digits to flag at most a tenth of right readings; it catches most wrong ones.`,
    }),
    model: ModelRef,
  })
  .openapi('ReadResponse');

export type ReadJson = z.infer<typeof ReadJsonBody>;

export const readRoute = createRoute({
  method: 'post',
  path: '/api/read',
  operationId: 'readNumber',
  summary: 'Read a written number: one line of 1 to 16 digits, left to right',
  request: {
    query: ReadQuery,
    body: imageBody(ReadJsonBody),
  },
  responses: {
    200: jsonAnswer('The number read', ReadResponse),
    ...problemResponses(400, 404, 409, 413, 415, 422, 429, 503),
  },
});
