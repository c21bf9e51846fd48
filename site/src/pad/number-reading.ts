/**
 * The Number mode's pure side: the `POST /api/read` answer checked and summarised for people and screen
 * readers, digit boxes mapped onto the visible pad, and the request itself (a PNG of the pad).
 */
import { CLASS_COUNT, PIXEL_COUNT } from '../../../core/model-spec.ts';
import type { Region } from '../../../core/resample.ts';
import { type Size, scaleBox } from '../../../core/segment-number.ts';
import type { FeedbackSubject } from './feedback-client.ts';
import { confidenceWord, formatPercent } from './format.ts';
import { PredictionError } from './prediction-client.ts';

interface ReadDigit {
  readonly digit: number;
  readonly confidence: number;
  readonly probabilities: readonly number[];
  readonly box: Region;
  /** The 28×28 image the model read for this digit (asked for with `?include=pixels`). */
  readonly pixels?: readonly number[];
}

/** The `POST /api/read` answer. */
export interface Reading {
  readonly text: string;
  readonly digits: readonly ReadDigit[];
  readonly confidence: number;
  readonly model: { readonly version: string };
}

const isBox = (box: unknown): box is Region =>
  typeof box === 'object' &&
  box !== null &&
  ['x', 'y', 'width', 'height'].every((key) => typeof (box as Record<string, unknown>)[key] === 'number');

/** Checks the shape of an answer so a broken proxy or HTML error page reads as a server failure. */
export function parseReading(body: unknown): Reading | null {
  if (typeof body !== 'object' || body === null) return null;
  const { text, digits, confidence, model } = body as Record<string, unknown>;
  const valid =
    typeof text === 'string' &&
    typeof confidence === 'number' &&
    Array.isArray(digits) &&
    digits.length === text.length &&
    digits.every(
      (d: Record<string, unknown>) =>
        Number.isInteger(d.digit) &&
        typeof d.confidence === 'number' &&
        Array.isArray(d.probabilities) &&
        d.probabilities.length === CLASS_COUNT &&
        isBox(d.box) &&
        (d.pixels === undefined || (Array.isArray(d.pixels) && d.pixels.length === PIXEL_COUNT)),
    ) &&
    typeof model === 'object' &&
    model !== null &&
    typeof (model as Record<string, unknown>).version === 'string';
  return valid ? (body as Reading) : null;
}

/**
 * What the live region reads: the number, then how sure the model is of all of it.
 *
 * @example readingSummary({ text: '2025', confidence: 0.97, … }) // "2025, 97% confident"
 */
export function readingSummary(reading: Pick<Reading, 'text' | 'confidence'>): string {
  return `${reading.text}, ${formatPercent(reading.confidence)} ${confidenceWord(reading.confidence)}`;
}

/** Each digit's box on the visible pad (`to`), from the pixels of the picture that was sent (`from`). */
export function boxesOnPad(reading: Reading, from: Size, to: Size): Region[] {
  return reading.digits.map((digit) => scaleBox(digit.box, from, to));
}

/**
 * What a per-digit "Right?" asks about: digit `index` of the reading, with the model's own 28×28 input for
 * it; null when the answer carries no pixels (an API without `?include=pixels`).
 */
export function digitSubject(reading: Reading, index: number): FeedbackSubject | null {
  const digit = reading.digits[index];
  if (digit?.pixels === undefined) return null;
  return {
    pixels: Float32Array.from(digit.pixels),
    predicted: digit.digit,
    modelVersion: reading.model.version,
  };
}

export interface ReadOptions {
  readonly endpoint?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/**
 * Sends the pad as a PNG, asking for each digit's 28×28 image (for its "Right?" question); throws
 * PredictionError on any failure, as the single-digit client does.
 */
export async function requestReading(png: Blob, options: ReadOptions = {}): Promise<Reading> {
  const { endpoint = '/api/read?include=pixels', timeoutMs = 5000, signal } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'image/png', accept: 'application/json' },
      body: png,
      signal: combined,
    });
  } catch (error) {
    if (timeout.aborted) throw new PredictionError('timeout', 'The model did not answer in time.');
    if (signal?.aborted) throw error;
    throw new PredictionError('unreachable', 'The reading service cannot be reached.');
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (payload as { detail?: unknown } | null)?.detail;
    const message = typeof detail === 'string' ? detail : `The reading service answered ${response.status}.`;
    throw new PredictionError(response.status >= 500 ? 'server' : 'rejected', message, response.status);
  }
  const reading = parseReading(payload);
  if (reading === null) throw new PredictionError('server', 'The reading service sent an unreadable answer.');
  return reading;
}
