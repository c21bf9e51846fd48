/**
 * Every stable `code` an API error can carry. Pure (no runtime imports) so the site's documentation table
 * can be checked against it in a Node unit test.
 */
export const ERROR_CODES = [
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
