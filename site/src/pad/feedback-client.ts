/** The pad's side of POST /api/feedback: is it on here, and sending one answer. */
import { pixelsForJson } from '../../../core/preprocess.ts';

/** What the question is about: one prediction of one 28×28 image. */
export interface FeedbackSubject {
  readonly pixels: Float32Array;
  readonly predicted: number;
  readonly modelVersion: string;
}

/** The request body for an answer: `label` is the right digit (the prediction itself when "right"). */
export function feedbackBody(subject: FeedbackSubject, label: number, source: 'pad' | 'api' = 'pad') {
  return {
    pixels: pixelsForJson(subject.pixels),
    label,
    predicted: subject.predicted,
    modelVersion: subject.modelVersion,
    source,
  };
}

/** True when this deployment takes feedback (GET /api/feedback answers 200; 404 means switched off). */
export async function feedbackAvailable(endpoint = '/api/feedback', signal?: AbortSignal): Promise<boolean> {
  try {
    const response = await fetch(endpoint, {
      headers: { accept: 'application/json' },
      ...(signal ? { signal } : {}),
    });
    return response.ok;
  } catch {
    return false;
  }
}

/** Sends one answer; resolves to the stored id, rejects with the problem's detail on failure. */
export async function sendFeedback(
  subject: FeedbackSubject,
  label: number,
  options: { endpoint?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<string> {
  const { endpoint = '/api/feedback', timeoutMs = 8000, signal } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(feedbackBody(subject, label)),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  const payload = (await response.json().catch(() => null)) as { id?: unknown; detail?: unknown } | null;
  if (!response.ok || typeof payload?.id !== 'string') {
    throw new Error(
      typeof payload?.detail === 'string' ? payload.detail : `The server answered ${response.status}.`,
    );
  }
  return payload.id;
}
