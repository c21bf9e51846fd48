/**
 * The Number mode's pure side: the `POST /api/read` answer checked and summarised for people and screen
 * readers, digit boxes mapped onto the visible pad, and the request itself (a PNG of the pad, or a photo).
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
  /** The API's per-digit trust signals (`uncertain`, `isDigit`), as on /api/predict. */
  readonly uncertain?: boolean;
  readonly isDigit?: boolean | null;
  /** The 28×28 image the model read for this digit (asked for with `?include=pixels`). */
  readonly pixels?: readonly number[];
}

/** The `POST /api/read` answer. */
export interface Reading {
  readonly text: string;
  readonly digits: readonly ReadDigit[];
  readonly confidence: number;
  /** true when the reading should be checked: a digit is unsure, or the number as a whole. */
  readonly uncertain?: boolean;
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
 * What the live region reads: the number, then how sure the model is of all of it, or that it should be
 * checked when the API flags it (a figure would read as sure when the doubt is about where a digit ends).
 *
 * @example readingSummary({ text: '2025', confidence: 0.97, … }) // "2025, 97% confident"
 * @example readingSummary({ text: '2025', confidence: 0.97, uncertain: true }) // "2025? Not sure: check it"
 */
export function readingSummary(reading: Pick<Reading, 'text' | 'confidence' | 'uncertain'>): string {
  if (reading.uncertain) return `${reading.text}? Not sure: check it`;
  return `${reading.text}, ${formatPercent(reading.confidence)} ${confidenceWord(reading.confidence)}`;
}

/** Whether the pad marks a digit for checking: the API finds it unsure or not a digit. */
export const digitUnsure = (digit: Pick<ReadDigit, 'uncertain' | 'isDigit'>): boolean =>
  digit.uncertain === true || digit.isDigit === false;

const asRegion = (area: Size | Region): Region => ('x' in area ? area : { x: 0, y: 0, ...area });

/**
 * Each digit's box on the visible pad: from `from` (the picture that was sent, or the part of it on show) to
 * `to` (the whole pad, or the part of it that picture is drawn into).
 */
export function boxesOnPad(reading: Reading, from: Size | Region, to: Size | Region): Region[] {
  const source = asRegion(from);
  const target = asRegion(to);
  return reading.digits.map((digit) => {
    const moved = { ...digit.box, x: digit.box.x - source.x, y: digit.box.y - source.y };
    const box = scaleBox(moved, source, target);
    return { ...box, x: box.x + target.x, y: box.y + target.y };
  });
}

/**
 * Where a picture of size `picture` is drawn on `pad` to be seen whole: as large as fits, centred.
 *
 * @example fitInside({ width: 400, height: 300 }, { width: 900, height: 300 }) // { x: 250, y: 0, width: 400, height: 300 }
 */
export function fitInside(picture: Size, pad: Size): Region {
  const scale = Math.min(pad.width / picture.width, pad.height / picture.height);
  const width = Math.round(picture.width * scale);
  const height = Math.round(picture.height * scale);
  return { x: Math.round((pad.width - width) / 2), y: Math.round((pad.height - height) / 2), width, height };
}

/**
 * What of a photo to show on the wide pad, and where: the digits read with a margin of half their height,
 * widened (or heightened) towards the pad's shape as far as the photo allows, so a number photographed
 * small or on a tall frame still fills the pad. The whole photo when nothing was read.
 */
export function photoView(photo: Size, reading: Reading | null, pad: Size): { from: Region; to: Region } {
  const boxes = reading?.digits.map((d) => d.box) ?? [];
  if (boxes.length === 0) {
    const whole = { x: 0, y: 0, ...photo };
    return { from: whole, to: fitInside(photo, pad) };
  }
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  const margin = 0.5 * (bottom - top);
  let width = Math.min(photo.width, right - left + 2 * margin);
  let height = Math.min(photo.height, bottom - top + 2 * margin);
  const aspect = pad.width / pad.height;
  if (width / height < aspect) width = Math.min(photo.width, height * aspect);
  else height = Math.min(photo.height, width / aspect);
  // Centred on the digits, kept inside the photo.
  const clamp = (start: number, size: number, limit: number) => Math.min(Math.max(0, start), limit - size);
  const x = Math.round(clamp((left + right - width) / 2, width, photo.width));
  const y = Math.round(clamp((top + bottom - height) / 2, height, photo.height));
  const from = { x, y, width: Math.round(width), height: Math.round(height) };
  return { from, to: fitInside(from, pad) };
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
 * Sends a picture (the pad as a PNG, or a photo) as it is, asking for each digit's 28×28 image (for its
 * "Right?" question); throws PredictionError on any failure, as the single-digit client does.
 */
export async function requestReading(picture: Blob, options: ReadOptions = {}): Promise<Reading> {
  const { endpoint = '/api/read?include=pixels', timeoutMs = 5000, signal } = options;
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': picture.type || 'application/octet-stream', accept: 'application/json' },
      body: picture,
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
