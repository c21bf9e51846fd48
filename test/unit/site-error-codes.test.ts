import { describe, expect, it } from 'vitest';
import { DOCUMENTED_ERRORS } from '../../site/src/docs-page/error-codes.ts';
import { ERROR_CODES } from '../../worker/error-codes.ts';

describe('the error codes documented on /docs', () => {
  it('are exactly the codes the Worker can answer with (internal_error aside: a bug, not a contract)', () => {
    const documented = DOCUMENTED_ERRORS.map((error) => error.code).sort();
    const answered = ERROR_CODES.filter((code) => code !== 'internal_error').sort();
    expect(documented).toEqual(answered);
  });
});
