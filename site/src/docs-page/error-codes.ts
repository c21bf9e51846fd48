/**
 * The API's error answers as documented for client developers: one row per `code` of the Worker's
 * `ErrorCode` (worker/errors.ts). `code` is stable; `detail` in each answer is meant for people.
 */
export interface DocumentedError {
  readonly status: number;
  readonly code: string;
  readonly when: string;
}

export const DOCUMENTED_ERRORS: readonly DocumentedError[] = [
  {
    status: 400,
    code: 'malformed_json',
    when: 'The body is not valid JSON, or not the multipart form it claims to be.',
  },
  {
    status: 400,
    code: 'invalid_request',
    when: 'The JSON has the wrong shape (neither pixels nor image, a batch of 0 or over 256 items), a multipart form has no image field, or /api/read got an ?include= other than pixels.',
  },
  {
    status: 400,
    code: 'invalid_pixels',
    when: 'pixels is not exactly 784 finite numbers between 0 and 1 (for /api/read: not width × height of them, or a bitmap over 1,048,576 pixels).',
  },
  { status: 400, code: 'invalid_version', when: 'The ?version= value is not a well-formed version id.' },
  {
    status: 404,
    code: 'model_version_not_found',
    when: 'The version pinned with ?version= has not been published.',
  },
  { status: 404, code: 'not_found', when: 'No such endpoint.' },
  {
    status: 409,
    code: 'model_version_refused',
    when: 'The pinned version failed verification (checksums, shapes) and is never served.',
  },
  {
    status: 413,
    code: 'body_too_large',
    when: 'The body or image is over 5 MB; checked before the body is read whole.',
  },
  {
    status: 415,
    code: 'unsupported_media_type',
    when: 'The Content-Type is not one the endpoint takes: application/json, image/png, image/jpeg or multipart/form-data (the batch and feedback endpoints: application/json only).',
  },
  { status: 422, code: 'image_undecodable', when: 'The bytes are not a PNG or JPEG that can be decoded.' },
  {
    status: 422,
    code: 'image_too_large',
    when: 'The image is over a size limit (see Image limits); the detail says how far to downscale it.',
  },
  {
    status: 413,
    code: 'decode_budget_exceeded',
    when: 'The images of one request hold more than 12 Mi decoded pixels in all; send fewer or smaller images.',
  },
  {
    status: 422,
    code: 'image_empty',
    when: 'The image holds no ink: nothing stands out from the background.',
  },
  {
    status: 422,
    code: 'too_many_digits',
    when: 'POST /api/read only: the image reads as more than 16 digits (or far more separate marks); send one line of at most 16.',
  },
  {
    status: 429,
    code: 'rate_limited',
    when: 'Too many requests from your address in the current window (the limit is in detail). Wait for the Retry-After seconds.',
  },
  {
    status: 503,
    code: 'model_unavailable',
    when: 'No model can be loaded right now (model storage or the inference runtime failed; the next request tries again). Wait for the Retry-After seconds, then try again.',
  },
];
