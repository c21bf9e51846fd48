import { CLASS_COUNT } from '../../core/model-spec.ts';
import { PROBLEM_CONTENT_TYPE } from '../errors.ts';
import { ProblemSchema } from '../schemas.ts';

const descriptions: Record<number, string> = {
  400: 'Malformed JSON or invalid input',
  404: 'Unknown model version',
  409: 'The pinned model version failed verification',
  413: 'Body over the size limit',
  415: 'Unsupported content type',
  422: 'Image undecodable, too large or blank',
  503: 'No model can be loaded yet (see Retry-After)',
};

/** OpenAPI response entries for the problem statuses a route can answer. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Error',
        content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } },
      },
    ]),
  );
}

/** The answer for image `index` of a batch of probabilities (10 per image). */
export function toPrediction(probabilities: Float32Array, index: number) {
  const row = Array.from(probabilities.subarray(index * CLASS_COUNT, (index + 1) * CLASS_COUNT));
  let digit = 0;
  for (let d = 1; d < CLASS_COUNT; d++) if ((row[d] as number) > (row[digit] as number)) digit = d;
  return { digit, confidence: row[digit] as number, probabilities: row };
}
