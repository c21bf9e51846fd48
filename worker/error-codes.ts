/**
 * Every stable `code` an API error can carry. Pure (no runtime imports) so the site's documentation table
 * can be checked against it in a Node unit test.
 */
const ERROR_CODES = [
  'malformed_json',
  'invalid_request',
  'invalid_pixels',
  'invalid_version',
  'body_too_large',
  'unsupported_media_type',
  'image_undecodable',
  'image_too_large',
  'decode_budget_exceeded',
  'image_empty',
  'too_many_digits',
  'not_found',
  'model_version_not_found',
  'model_version_refused',
  'model_unavailable',
  'rate_limited',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The HTTP status each code is answered with; `ApiError` will not compile with another. */
export const ERROR_STATUS = {
  malformed_json: 400,
  invalid_request: 400,
  invalid_pixels: 400,
  invalid_version: 400,
  body_too_large: 413,
  unsupported_media_type: 415,
  image_undecodable: 422,
  image_too_large: 422,
  decode_budget_exceeded: 413,
  image_empty: 422,
  too_many_digits: 422,
  not_found: 404,
  model_version_not_found: 404,
  model_version_refused: 409,
  model_unavailable: 503,
  rate_limited: 429,
  internal_error: 500,
} as const satisfies Record<ErrorCode, number>;
