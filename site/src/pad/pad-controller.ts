/**
 * The drawing pad's DOM side: pointer input, rendering, keyboard shortcuts and the live prediction loop.
 * Pure pieces (strokes, smoothing, sequencing, formatting) live in their own modules and are unit-tested;
 * this file wires them to the page and is exercised by the browser tests.
 */
import { IMAGE_SIZE } from '../../../core/model-spec.ts';
import { toMnistPixels } from '../../../core/preprocess.ts';
import { confidenceWord, failureMessage, formatPercent, trustMessage } from './format.ts';
import { LatestOnly } from './latest-only.ts';
import { paintModelView } from './model-view.ts';
import { PHOTO_EVENT, type PhotoEventDetail } from './photo-controller.ts';
import { type Prediction, PredictionError, requestPrediction } from './prediction-client.ts';
import { renderStrokes, squarePad } from './render.ts';
import { mountStrokePad } from './stroke-pad.ts';
import { debounce, retryDelayMs } from './timing.ts';

/** Side of the offscreen canvas the model input is made from: independent of screen size and pixel ratio. */
const MODEL_SOURCE_SIDE = 280;
/** Pause in drawing after which a live prediction is sent. */
const LIVE_PREDICTION_DELAY_MS = 120;
/** After this long without an answer the page says the model is slow; after the timeout, it retries. */
const SLOW_NOTICE_MS = 1500;
const REQUEST_TIMEOUT_MS = 6000;
/** MNIST's look for the model's-eye view, the same in both colour schemes. */
const VIEW_INK = [255, 255, 255];
const VIEW_PAPER = [15, 23, 42];

interface PadElements {
  readonly canvas: HTMLCanvasElement;
  readonly hint: HTMLElement;
  readonly undo: HTMLButtonElement;
  readonly clear: HTMLButtonElement;
  readonly result: HTMLElement;
  readonly digit: HTMLElement;
  readonly separator: HTMLElement;
  readonly confidence: HTMLElement;
  readonly bars: readonly HTMLElement[];
  readonly notice: HTMLElement;
  readonly modelView: HTMLCanvasElement;
  readonly version: HTMLElement;
}

function findElements(root: ParentNode): PadElements {
  const one = <T extends Element>(selector: string): T => {
    const element = root.querySelector<T>(selector);
    if (element === null) throw new Error(`pad markup is missing ${selector}`);
    return element;
  };
  return {
    canvas: one('[data-pad-canvas]'),
    hint: one('[data-pad-hint]'),
    undo: one('[data-pad-undo]'),
    clear: one('[data-pad-clear]'),
    result: one('[data-pad-result]'),
    digit: one('[data-pad-digit]'),
    separator: one('[data-pad-separator]'),
    confidence: one('[data-pad-confidence]'),
    bars: Array.from(root.querySelectorAll<HTMLElement>('[data-pad-bar]')),
    notice: one('[data-pad-notice]'),
    modelView: one('[data-pad-model-view]'),
    version: one('[data-pad-version]'),
  };
}

/** What other parts of the page follow (e.g. the feedback question), without the pad knowing them. */
export interface PadHooks {
  /** A prediction is shown for these model-input pixels. */
  readonly onPrediction?: (pixels: Float32Array, prediction: Prediction) => void;
  /** The pad was emptied. */
  readonly onReset?: () => void;
}

/** Starts the pad inside `root`; returns a function that removes every listener, observer and timer. */
export function mountPad(root: ParentNode & EventTarget, hooks: PadHooks = {}): () => void {
  const ui = findElements(root);
  const sequence = new LatestOnly();
  const listeners = new AbortController();
  const { signal } = listeners;
  const padContext = ui.canvas.getContext('2d');
  const source = document.createElement('canvas');
  source.width = source.height = MODEL_SOURCE_SIDE;
  const sourceContext = source.getContext('2d', { willReadFrequently: true });
  const viewContext = ui.modelView.getContext('2d');
  if (padContext === null || sourceContext === null || viewContext === null)
    throw new Error('2D canvas unavailable');

  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failedAttempts = 0;

  const strokes = mountStrokePad({
    canvas: ui.canvas,
    undoButton: ui.undo,
    clearButton: ui.clear,
    aspect: 1,
    signal,
    paint: (drawn) =>
      renderStrokes(padContext, drawn, squarePad(ui.canvas.width), getComputedStyle(ui.canvas).color),
    onStrokeStart: () => {
      ui.hint.hidden = true;
      showWaiting();
    },
    onStrokeMove: () => livePrediction.schedule(),
    onStrokesChange: () => {
      livePrediction.cancel();
      void predict();
    },
    onClear: () => reset(),
  });
  const { history } = strokes;

  const setNotice = (message: string | null) => {
    ui.notice.textContent = message ?? '';
    ui.notice.hidden = message === null;
  };

  const showEmpty = () => {
    ui.result.dataset.state = 'empty';
    ui.digit.textContent = '';
    ui.separator.textContent = '';
    ui.confidence.textContent = 'Draw a digit from 0 to 9 and the model will read it as you draw.';
    for (const bar of ui.bars) setBar(bar, 0, false);
    viewContext.clearRect(0, 0, IMAGE_SIZE, IMAGE_SIZE);
    ui.hint.hidden = false;
  };

  const showPrediction = (prediction: Prediction) => {
    ui.result.dataset.state = 'ready';
    // The live region's text starts with the digit: "7, 98% confident".
    ui.digit.textContent = String(prediction.digit);
    ui.separator.textContent = ', ';
    ui.confidence.textContent =
      trustMessage(prediction) ??
      `${formatPercent(prediction.confidence)} ${confidenceWord(prediction.confidence)}`;
    ui.bars.forEach((bar, digit) => {
      setBar(bar, prediction.probabilities[digit] ?? 0, digit === prediction.digit);
    });
    ui.version.textContent = prediction.model.version;
  };

  /** Drawn but not answered yet: say so instead of the empty-pad hint. */
  const showWaiting = () => {
    if (ui.result.dataset.state !== 'empty') return;
    ui.result.dataset.state = 'waiting';
    ui.confidence.textContent = 'Reading your digit…';
  };

  const showModelView = (pixels: Float32Array) => {
    const image = viewContext.createImageData(IMAGE_SIZE, IMAGE_SIZE);
    paintModelView(image.data, pixels, VIEW_INK, VIEW_PAPER);
    viewContext.putImageData(image, 0, 0);
  };

  const cancelRetry = () => {
    if (retryTimer !== undefined) clearTimeout(retryTimer);
    retryTimer = undefined;
  };

  const predict = async () => {
    cancelRetry();
    if (history.isEmpty) return;
    renderStrokes(sourceContext, history.strokes, squarePad(MODEL_SOURCE_SIDE), '#000');
    const pixels = toMnistPixels(sourceContext.getImageData(0, 0, MODEL_SOURCE_SIDE, MODEL_SOURCE_SIDE));
    if (pixels === null) return;
    showModelView(pixels);
    const ticket = sequence.next();
    ui.result.setAttribute('aria-busy', 'true');
    const slow = setTimeout(() => {
      if (sequence.isNewest(ticket)) setNotice('The model is slow to answer. Still waiting…');
    }, SLOW_NOTICE_MS);
    try {
      const prediction = await requestPrediction(pixels, { timeoutMs: REQUEST_TIMEOUT_MS, signal });
      if (!sequence.accept(ticket)) return;
      failedAttempts = 0;
      setNotice(null);
      showPrediction(prediction);
      hooks.onPrediction?.(pixels, prediction);
    } catch (error) {
      if (signal.aborted || !sequence.accept(ticket)) return;
      const failure = error instanceof PredictionError ? error.failure : 'unreachable';
      setNotice(failureMessage(failure));
      if (ui.result.dataset.state === 'ready') ui.result.dataset.state = 'stale';
      // Recover by itself: keep asking, less often each time, until the API answers or the pad changes.
      if (failure !== 'rejected') {
        retryTimer = setTimeout(() => void predict(), retryDelayMs(failedAttempts));
        failedAttempts += 1;
      }
    } finally {
      clearTimeout(slow);
      if (sequence.isNewest(ticket)) ui.result.removeAttribute('aria-busy');
    }
  };
  const livePrediction = debounce(() => void predict(), LIVE_PREDICTION_DELAY_MS);

  const reset = () => {
    livePrediction.cancel();
    cancelRetry();
    sequence.invalidate();
    failedAttempts = 0;
    setNotice(null);
    ui.result.removeAttribute('aria-busy');
    showEmpty();
    strokes.updateButtons();
    strokes.paint();
    hooks.onReset?.();
  };

  // A photo (PhotoInput, inside the same root) replaces the drawing: its answer shows like a drawing's.
  const showPhoto = (detail: PhotoEventDetail) => {
    strokes.clear();
    if (detail.kind === 'reading') {
      ui.result.dataset.state = 'waiting';
      ui.confidence.textContent = 'Reading your photo…';
      ui.result.setAttribute('aria-busy', 'true');
    } else if (detail.kind === 'error') {
      setNotice(`${detail.message} (${detail.code})`);
    } else {
      if (detail.pixels !== null) showModelView(detail.pixels);
      showPrediction(detail.prediction);
    }
  };
  root.addEventListener(PHOTO_EVENT, (event) => showPhoto((event as CustomEvent<PhotoEventDetail>).detail), {
    signal,
  });

  showEmpty();
  strokes.updateButtons();

  return () => {
    listeners.abort();
    strokes.dispose();
    livePrediction.cancel();
    cancelRetry();
  };
}

function setBar(bar: HTMLElement, probability: number, isTop: boolean): void {
  bar.style.setProperty('--share', String(Math.min(1, Math.max(0, probability))));
  bar.toggleAttribute('data-top', isTop);
  const value = bar.querySelector('[data-pad-bar-value]');
  if (value !== null) value.textContent = probability > 0 || isTop ? formatPercent(probability) : '–';
}
