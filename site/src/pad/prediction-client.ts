import { CLASS_COUNT } from '../../../core/model-spec.ts';
import { pixelsForJson } from '../../../core/preprocess.ts';

/** The `POST /api/predict` answer. */
export interface Prediction {
  readonly digit: number;
  readonly confidence: number;
  readonly probabilities: readonly number[];
  /** Calibrated confidence below the model's threshold (absent from older APIs). */
  readonly uncertain?: boolean;
  /** false: not a digit; null: the model cannot tell (absent from older APIs). */
  readonly isDigit?: boolean | null;
  readonly model: { readonly version: string };
}

export type PredictionFailure = 'timeout' | 'unreachable' | 'server' | 'rejected';

/** Why a prediction did not arrive, with the API's problem `detail` when it sent one. */
export class PredictionError extends Error {
  override readonly name = 'PredictionError';
  constructor(
    readonly failure: PredictionFailure,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface PredictOptions {
  readonly endpoint?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** Checks the shape of an answer so a broken proxy or HTML error page reads as a server failure. */
export function parsePrediction(body: unknown): Prediction | null {
  if (typeof body !== 'object' || body === null) return null;
  const { digit, confidence, probabilities, model } = body as Record<string, unknown>;
  const valid =
    Number.isInteger(digit) &&
    typeof confidence === 'number' &&
    Array.isArray(probabilities) &&
    probabilities.length === CLASS_COUNT &&
    probabilities.every((p) => typeof p === 'number') &&
    typeof model === 'object' &&
    model !== null &&
    typeof (model as Record<string, unknown>).version === 'string';
  return valid ? (body as Prediction) : null;
}

/** Sends the model's 28×28 input as `{"pixels": [...]}`; throws PredictionError on any failure. */
export async function requestPrediction(
  pixels: Float32Array,
  options: PredictOptions = {},
): Promise<Prediction> {
  const { endpoint = '/api/predict', timeoutMs = 5000, signal } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const body = JSON.stringify({ pixels: pixelsForJson(pixels) });
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body,
      signal: combined,
    });
  } catch (error) {
    if (timeout.aborted) throw new PredictionError('timeout', 'The model did not answer in time.');
    if (signal?.aborted) throw error;
    throw new PredictionError('unreachable', 'The prediction service cannot be reached.');
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (payload as { detail?: unknown } | null)?.detail;
    const message =
      typeof detail === 'string' ? detail : `The prediction service answered ${response.status}.`;
    throw new PredictionError(response.status >= 500 ? 'server' : 'rejected', message, response.status);
  }
  const prediction = parsePrediction(payload);
  if (prediction === null)
    throw new PredictionError('server', 'The prediction service sent an unreadable answer.');
  return prediction;
}
