/** The self-reported figure GET /api/model shows next to the test-set accuracy. */
import type { VersionFeedback } from '../schemas.ts';
import { feedbackForVersion } from './store.ts';

/**
 * Null when feedback is off, or when D1 fails: the model description must not fail because of an
 * optional figure (the failure is logged).
 */
export async function liveFeedbackFor(
  database: D1Database | null,
  version: string,
): Promise<(VersionFeedback & { selfReported: true }) | null> {
  if (database === null) return null;
  try {
    return { ...(await feedbackForVersion(database, version)), selfReported: true };
  } catch (error) {
    console.error('feedback statistics unavailable', error);
    return null;
  }
}
