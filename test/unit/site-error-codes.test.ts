import { describe, expect, it } from 'vitest';
import { DOCUMENTED_ERRORS } from '../../site/src/docs-page/error-codes.ts';
import { ERROR_STATUS } from '../../worker/error-codes.ts';

describe('the error codes documented on /docs', () => {
  it('are exactly the codes and statuses the Worker answers with (internal_error aside: a bug, not a contract)', () => {
    const documented = DOCUMENTED_ERRORS.map((error) => `${error.code} ${error.status}`).sort();
    const answered = Object.entries(ERROR_STATUS)
      .filter(([code]) => code !== 'internal_error')
      .map(([code, status]) => `${code} ${status}`)
      .sort();
    expect(documented).toEqual(answered);
  });
});
