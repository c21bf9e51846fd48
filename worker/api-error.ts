/**
 * The API's one error type, in a module of its own with no runtime imports, so pure input modules (and
 * their Node tests) can throw it; errors.ts turns it into `application/problem+json`.
 */

import type { ERROR_STATUS, ErrorCode } from './error-codes.ts';

export class ApiError<C extends ErrorCode = ErrorCode> extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: (typeof ERROR_STATUS)[C],
    readonly code: C,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
  }
}
