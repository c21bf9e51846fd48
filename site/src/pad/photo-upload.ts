/**
 * "Use a photo": the pure half. How far to reduce a photo before sending it, and the request that sends it
 * to the API as a multipart upload (the way an HTML form would), with the API's problem `code` kept so the
 * page can say exactly what went wrong.
 */
import { type Prediction, parsePrediction } from './prediction-client.ts';

/** Photos are reduced to at most this long side before upload (the API itself takes up to its own limits). */
export const PHOTO_MAX_SIDE = 2048;

/** The size a `width × height` picture is drawn at so its long side is at most `maxSide` (never enlarged). */
export function reducedSize(
  width: number,
  height: number,
  maxSide: number,
): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** A photo the API did not read, with its stable problem `code` (or a client-side one for no answer). */
export class PhotoError extends Error {
  override readonly name = 'PhotoError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What people are told, by problem code; anything else shows the API's own detail. */
function photoFailureMessage(code: string, detail: string): string {
  switch (code) {
    case 'image_undecodable':
    case 'unsupported_media_type':
      return 'That file is not a picture the model can read. Choose a photo (JPEG or PNG) of one digit.';
    case 'image_empty':
      return 'No digit stands out in that photo. Write it darker or closer, on plain paper, and try again.';
    case 'unreachable':
      return 'Can’t reach the model right now. Try the photo again in a moment.';
    default:
      return detail;
  }
}

/** Sends a photo as multipart `image` to `endpoint`; throws PhotoError with the problem code on failure. */
export async function requestPhotoPrediction(
  photo: Blob,
  fileName: string,
  options: { endpoint?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<Prediction> {
  const { endpoint = '/api/predict', signal, timeoutMs = 15_000 } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const body = new FormData();
  body.append('image', photo, fileName);
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { accept: 'application/json' },
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new PhotoError('unreachable', photoFailureMessage('unreachable', ''));
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const { code, detail } = (payload ?? {}) as { code?: unknown; detail?: unknown };
    const stable = typeof code === 'string' ? code : `http_${response.status}`;
    const text = typeof detail === 'string' ? detail : `The API answered ${response.status}.`;
    throw new PhotoError(stable, photoFailureMessage(stable, text));
  }
  const prediction = parsePrediction(payload);
  if (prediction === null) throw new PhotoError('unreadable_answer', 'The API sent an unreadable answer.');
  return prediction;
}
