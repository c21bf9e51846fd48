/** The API's error answers as documented for client developers; `code` is stable, `detail` is for people. */
export interface DocumentedError {
  readonly status: number;
  readonly code: string;
  readonly when: string;
}

export const DOCUMENTED_ERRORS: readonly DocumentedError[] = [
  { status: 400, code: 'invalid_json', when: 'The body is not valid JSON.' },
  {
    status: 400,
    code: 'invalid_request',
    when: 'The JSON has the wrong shape, for example neither pixels nor image.',
  },
  {
    status: 400,
    code: 'invalid_pixels',
    when: 'pixels is not exactly 784 finite numbers between 0 and 1.',
  },
  {
    status: 404,
    code: 'version_not_found',
    when: 'The version pinned with ?version= has not been published.',
  },
  {
    status: 413,
    code: 'payload_too_large',
    when: 'The body is larger than 5 MB (checked before it is read).',
  },
  {
    status: 415,
    code: 'unsupported_media_type',
    when: 'The Content-Type is not JSON, PNG, JPEG or multipart form data.',
  },
  {
    status: 422,
    code: 'invalid_image',
    when: 'The image cannot be decoded, or is larger than 4096×4096 pixels.',
  },
  { status: 422, code: 'empty_image', when: 'The image holds no ink: nothing to read.' },
  {
    status: 503,
    code: 'model_unavailable',
    when: 'No model can be loaded right now. Retry after the Retry-After seconds.',
  },
];
