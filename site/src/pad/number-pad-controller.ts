/**
 * The Number mode's DOM side: a wide pad whose drawing is sent as a PNG to `POST /api/read` as the person
 * writes, or a photo of a written number ("Use a photo", shown on the pad in place of the drawing); a box
 * and its digit are drawn over each digit read, and each digit opens its probabilities. Pure pieces
 * (strokes, answer checks, summaries, box mapping) live in their own unit-tested modules.
 */
import type { Region } from '../../../core/resample.ts';
import type { Size } from '../../../core/segment-number.ts';
import { failureMessage, formatPercent } from './format.ts';
import type { Stroke } from './geometry.ts';
import { LatestOnly } from './latest-only.ts';
import {
  boxesOnPad,
  digitUnsure,
  photoView,
  type Reading,
  readingSummary,
  requestReading,
} from './number-reading.ts';
import { reducePhoto } from './photo-controller.ts';
import { PredictionError } from './prediction-client.ts';
import { renderStrokes, widePad } from './render.ts';
import { mountStrokePad } from './stroke-pad.ts';
import { debounce, retryDelayMs } from './timing.ts';

/** The picture sent to the API: independent of screen size and pixel ratio. */
const SOURCE_WIDTH = 840;
const SOURCE_HEIGHT = 280;
const LIVE_DELAY_MS = 250;
const REQUEST_TIMEOUT_MS = 8000;
/** A photo is larger than a drawing and may come over a slow phone connection. */
const PHOTO_TIMEOUT_MS = 15_000;

/** A reduced photo, ready to be drawn on the pad. */
interface ShownPhoto {
  readonly picture: HTMLCanvasElement;
  readonly size: Size;
}

function photoPicture(image: ImageData): ShownPhoto | null {
  const picture = document.createElement('canvas');
  picture.width = image.width;
  picture.height = image.height;
  const context = picture.getContext('2d');
  if (context === null) return null;
  context.putImageData(image, 0, 0);
  return { picture, size: { width: image.width, height: image.height } };
}

function one<T extends Element>(root: ParentNode, selector: string): T {
  const element = root.querySelector<T>(selector);
  if (element === null) throw new Error(`number pad markup is missing ${selector}`);
  return element;
}

/** What other parts of the page follow (the per-digit feedback), without the number pad knowing them. */
export interface NumberPadHooks {
  /** A reading is shown. */
  readonly onReading?: (reading: Reading) => void;
  /** The pad was emptied. */
  readonly onReset?: () => void;
}

/** Starts the number pad inside `root`; returns a function that removes every listener, observer and timer. */
export function mountNumberPad(root: HTMLElement, hooks: NumberPadHooks = {}): () => void {
  const canvas = one<HTMLCanvasElement>(root, '[data-number-canvas]');
  const hint = one<HTMLElement>(root, '[data-number-hint]');
  const undoButton = one<HTMLButtonElement>(root, '[data-number-undo]');
  const clearButton = one<HTMLButtonElement>(root, '[data-number-clear]');
  const result = one<HTMLElement>(root, '[data-number-result]');
  const notice = one<HTMLElement>(root, '[data-number-notice]');
  const digitList = one<HTMLOListElement>(root, '[data-number-digits]');
  const details = one<HTMLElement>(root, '[data-number-details]');
  const photoInput = root.querySelector<HTMLInputElement>('[data-photo="number"] [data-photo-input]');
  const sequence = new LatestOnly();
  const listeners = new AbortController();
  const { signal } = listeners;
  const context = canvas.getContext('2d');
  const source = document.createElement('canvas');
  source.width = SOURCE_WIDTH;
  source.height = SOURCE_HEIGHT;
  const sourceContext = source.getContext('2d');
  if (context === null || sourceContext === null) throw new Error('2D canvas unavailable');

  let reading: Reading | null = null;
  /** The photo on show instead of the drawing, if the reading is of a photo. */
  let photo: ShownPhoto | null = null;
  /** A photo is being read: writing on the pad drops it. */
  let photoPending = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failedAttempts = 0;

  const paint = (drawn: readonly Stroke[]) => {
    const style = getComputedStyle(canvas);
    const pad = { width: canvas.width, height: canvas.height };
    // The part of the picture sent that is on show (its pixels are what the boxes are in), and where.
    let view: { from: Size | Region; to: Size | Region } = {
      from: { width: SOURCE_WIDTH, height: SOURCE_HEIGHT },
      to: pad,
    };
    if (photo === null) {
      renderStrokes(context, drawn, widePad(canvas.width, canvas.height), style.color);
    } else {
      const { from, to } = photoView(photo.size, reading, pad);
      view = { from, to };
      context.clearRect(0, 0, pad.width, pad.height);
      context.drawImage(
        photo.picture,
        from.x,
        from.y,
        from.width,
        from.height,
        to.x,
        to.y,
        to.width,
        to.height,
      );
    }
    if (reading === null) return;
    // The digits read, boxed, with the digit over each box.
    const boxes = boxesOnPad(reading, view.from, view.to);
    const scale = canvas.height / 280;
    context.lineWidth = Math.max(1, 2 * scale);
    context.strokeStyle = style.getPropertyValue('--accent') || '#2563eb';
    context.fillStyle = context.strokeStyle;
    context.font = `600 ${Math.round(22 * scale)}px system-ui, sans-serif`;
    context.textBaseline = 'bottom';
    boxes.forEach((box, i) => {
      context.strokeRect(box.x, box.y, box.width, box.height);
      context.fillText(
        String(reading?.digits[i]?.digit ?? ''),
        box.x + 2 * scale,
        Math.max(24 * scale, box.y - 2 * scale),
      );
    });
  };

  const strokes = mountStrokePad({
    canvas,
    undoButton,
    clearButton,
    aspect: SOURCE_WIDTH / SOURCE_HEIGHT,
    signal,
    paint,
    onStrokeStart: () => {
      hint.hidden = true;
      // Writing on the pad replaces a photo on show (or on its way), and its reading.
      if (photo !== null || photoPending) {
        photo = null;
        photoPending = false;
        sequence.invalidate();
        showReading(null);
        hooks.onReset?.();
      }
    },
    onStrokeMove: () => liveRead.schedule(),
    onStrokesChange: () => {
      liveRead.cancel();
      void read();
    },
    onClear: () => reset(),
  });
  const { history } = strokes;

  const setNotice = (message: string | null) => {
    notice.textContent = message ?? '';
    notice.hidden = message === null;
  };

  const showDetails = (index: number | null) => {
    const digit = index === null ? undefined : reading?.digits[index];
    for (const [i, item] of Array.from(digitList.querySelectorAll('button')).entries())
      item.setAttribute('aria-expanded', String(i === index && digit !== undefined));
    details.hidden = digit === undefined;
    details.replaceChildren();
    if (digit === undefined) return;
    const heading = document.createElement('h3');
    heading.className = 'section-label';
    heading.textContent = `Digit ${(index ?? 0) + 1}: probability of each digit`;
    const list = document.createElement('ol');
    list.className = 'number-probabilities';
    digit.probabilities.forEach((probability, d) => {
      const item = document.createElement('li');
      item.toggleAttribute('data-top', d === digit.digit);
      item.style.setProperty('--share', String(probability));
      item.textContent = `${d}: ${formatPercent(probability)}`;
      list.append(item);
    });
    details.append(heading, list);
  };

  const showReading = (next: Reading | null) => {
    reading = next;
    result.dataset.state = next === null ? 'empty' : 'ready';
    result.textContent =
      next === null ? 'Write a number, e.g. a year or a meter reading.' : readingSummary(next);
    digitList.replaceChildren(
      ...(next?.digits ?? []).map((digit, i) => {
        const item = document.createElement('li');
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'number-digit';
        button.setAttribute('aria-expanded', 'false');
        button.setAttribute('aria-controls', details.id);
        button.dataset.numberDigit = String(i);
        button.textContent = String(digit.digit);
        const unsure = digitUnsure(digit);
        button.toggleAttribute('data-unsure', unsure);
        button.title = `Digit ${i + 1}: ${formatPercent(digit.confidence)}${unsure ? ', not sure' : ''}; show its probabilities`;
        item.append(button);
        return item;
      }),
    );
    showDetails(null);
    strokes.requestPaint();
  };

  const cancelRetry = () => {
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
  };

  const read = async () => {
    cancelRetry();
    if (history.isEmpty) return;
    renderStrokes(sourceContext, history.strokes, widePad(SOURCE_WIDTH, SOURCE_HEIGHT), '#000');
    const png = await new Promise<Blob | null>((resolve) => source.toBlob(resolve, 'image/png'));
    if (png === null) return;
    const ticket = sequence.next();
    result.setAttribute('aria-busy', 'true');
    try {
      const answer = await requestReading(png, { timeoutMs: REQUEST_TIMEOUT_MS, signal });
      if (!sequence.accept(ticket)) return;
      failedAttempts = 0;
      setNotice(null);
      showReading(answer);
      hooks.onReading?.(answer);
    } catch (error) {
      if (signal.aborted || !sequence.accept(ticket)) return;
      const failure = error instanceof PredictionError ? error.failure : 'unreachable';
      // A 422 says what to do (e.g. more than 16 digits): show its detail.
      setNotice(failure === 'rejected' && error instanceof Error ? error.message : failureMessage(failure));
      if (failure !== 'rejected') {
        retryTimer = setTimeout(() => void read(), retryDelayMs(failedAttempts));
        failedAttempts += 1;
      }
    } finally {
      if (sequence.isNewest(ticket)) result.removeAttribute('aria-busy');
    }
  };
  const liveRead = debounce(() => void read(), LIVE_DELAY_MS);

  const readPhoto = async (file: File) => {
    strokes.clear();
    const ticket = sequence.next();
    photoPending = true;
    result.textContent = 'Reading your photo…';
    result.setAttribute('aria-busy', 'true');
    try {
      const reduced = await reducePhoto(file);
      // A file the browser cannot decode is sent as it is: the API's own error says what is wrong with it.
      const answer = await requestReading(reduced?.jpeg ?? file, { timeoutMs: PHOTO_TIMEOUT_MS, signal });
      if (!sequence.accept(ticket)) return;
      photoPending = false;
      photo = reduced === null ? null : photoPicture(reduced.image);
      hint.hidden = photo !== null;
      setNotice(null);
      showReading(answer);
      clearButton.disabled = false;
      hooks.onReading?.(answer);
    } catch (error) {
      if (signal.aborted || !sequence.accept(ticket)) return;
      photoPending = false;
      const failure = error instanceof PredictionError ? error.failure : 'unreachable';
      showReading(null);
      setNotice(failure === 'rejected' && error instanceof Error ? error.message : failureMessage(failure));
    } finally {
      if (sequence.isNewest(ticket)) result.removeAttribute('aria-busy');
    }
  };
  photoInput?.addEventListener(
    'change',
    () => {
      const file = photoInput.files?.[0];
      if (file !== undefined) void readPhoto(file);
      // Choosing the same file again must read it again.
      photoInput.value = '';
    },
    { signal },
  );

  const reset = () => {
    liveRead.cancel();
    cancelRetry();
    photo = null;
    photoPending = false;
    sequence.invalidate();
    failedAttempts = 0;
    setNotice(null);
    result.removeAttribute('aria-busy');
    hint.hidden = false;
    showReading(null);
    strokes.updateButtons();
    strokes.paint();
    hooks.onReset?.();
  };
  digitList.addEventListener(
    'click',
    (event) => {
      const button = (event.target as HTMLElement | null)?.closest<HTMLButtonElement>('[data-number-digit]');
      if (button === null || button === undefined) return;
      const index = Number(button.dataset.numberDigit);
      showDetails(button.getAttribute('aria-expanded') === 'true' ? null : index);
    },
    { signal },
  );

  reset();

  return () => {
    listeners.abort();
    strokes.dispose();
    liveRead.cancel();
    cancelRetry();
  };
}
