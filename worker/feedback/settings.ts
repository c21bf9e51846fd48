/** The FEEDBACK setting, read in this one place: on unless set to "off" (or the D1 binding is missing). */
export function feedbackEnabled(env: Env): boolean {
  return String(env.FEEDBACK ?? 'on').toLowerCase() !== 'off' && env.FEEDBACK_DB !== undefined;
}

/** What a correction stores, said the same way by the API and the pad. */
export const STORED_DESCRIPTION =
  'The 28×28 image the model saw, the right digit, the predicted digit, the model version and whether it came from the pad or an app. Never the drawing or photo, never an IP address.';
