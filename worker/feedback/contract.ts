/**
 * The feedback endpoints' contract: one zod schema per shape, used to validate and to generate the OpenAPI
 * document (worker/openapi.ts). Free of runtime code, like worker/routes/definitions.ts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CORRECTION_SOURCES } from '../../core/corrections.ts';
import { CLASS_COUNT } from '../../core/model-spec.ts';
import { jsonAnswer, jsonBody, problemResponses } from '../routes/definitions.ts';
import {
  PixelsInput,
  PROBLEM_CONTENT_TYPE,
  ProblemSchema,
  VersionFeedback,
  VersionQuery,
} from '../schemas.ts';

const digit = (description: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(CLASS_COUNT - 1)
    .openapi({ description, example: 7 });

/** 404 here means the switch, not an unknown model version. */
const switchedOff = {
  404: {
    description: 'Feedback is switched off on this deployment (FEEDBACK=off)',
    content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
  },
};

const FeedbackBody = z
  .strictObject({
    pixels: PixelsInput.shape.pixels,
    label: digit('The right digit, as the person says.'),
    predicted: digit('The digit the model answered.'),
    modelVersion: VersionQuery.shape.version.unwrap().openapi({
      description: 'The `model.version` of the prediction being answered.',
      example: 'f28f092f5b6ab39f',
    }),
    source: z.enum(CORRECTION_SOURCES).openapi({ description: "Who sends it: the site's pad or an app." }),
  })
  .openapi('FeedbackBody');

export const FeedbackCreated = z
  .object({
    id: z
      .string()
      .openapi({ description: 'sha256 of the image and label: the same pair gives the same id.' }),
    duplicate: z.boolean().openapi({ description: 'true when this image and label were already stored.' }),
  })
  .openapi('FeedbackCreated');

const FeedbackStatus = z
  .object({
    enabled: z.literal(true),
    stored: z.string().openapi({ description: 'What a correction stores, in words for people.' }),
  })
  .openapi('FeedbackStatus');

/** What a correction stores, said the same way by the API and the pad. */
export const STORED_DESCRIPTION =
  'The 28×28 image the model saw, the right digit, the predicted digit, the model version and whether it came from the pad or an app. Never the drawing or photo, never an IP address.';

export const SELF_REPORTED_NOTE =
  'Self-reported by users: people choose what to draw and whether to answer, so this is not a test-set accuracy.';

export const FeedbackStats = z
  .object({
    selfReported: z.literal(true),
    note: z.string(),
    versions: z.array(VersionFeedback),
  })
  .openapi('FeedbackStats');

export const feedbackRoute = createRoute({
  method: 'post',
  path: '/api/feedback',
  operationId: 'postFeedback',
  summary: 'Say whether a prediction was right, and if not, which digit it was',
  description:
    'Stores the 28×28 image, the right digit, the predicted digit, the model version and the source; never the drawing or photo, never an IP address. Posting the same image with the same label again is idempotent (200 with the same id). 404 when feedback is switched off on this deployment.',
  request: { body: jsonBody(FeedbackBody) },
  responses: {
    201: jsonAnswer('Stored', FeedbackCreated),
    200: jsonAnswer('Already stored: the same id', FeedbackCreated),
    ...problemResponses(400, 413, 415, 429),
    ...switchedOff,
  },
});

export const feedbackStatusRoute = createRoute({
  method: 'get',
  path: '/api/feedback',
  operationId: 'getFeedbackStatus',
  summary: 'Whether feedback is accepted here (404 when switched off)',
  responses: {
    200: jsonAnswer('Feedback is on', FeedbackStatus),
    ...switchedOff,
  },
});

export const feedbackStatsRoute = createRoute({
  method: 'get',
  path: '/api/feedback/stats',
  operationId: 'getFeedbackStats',
  summary: 'Self-reported live accuracy per model version',
  request: { query: VersionQuery },
  responses: {
    200: jsonAnswer('Per version, most recent first', FeedbackStats),
    ...problemResponses(400),
    ...switchedOff,
  },
});
