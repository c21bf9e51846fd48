/**
 * What the digit pad and the number pad share: a canvas that takes strokes from one pen, finger or mouse,
 * its backing store sized to the screen, Undo and Clear (buttons, Ctrl+Z and Escape) and repainting. What
 * is read from the strokes, and how the answer is shown, stays with each pad.
 */
import { type Stroke, toPadPoint } from './geometry.ts';
import { StrokeHistory } from './history.ts';

export interface StrokePadOptions {
  readonly canvas: HTMLCanvasElement;
  readonly undoButton: HTMLButtonElement;
  readonly clearButton: HTMLButtonElement;
  /** Width over height of the canvas (1 for the digit pad). */
  readonly aspect: number;
  /** Removes every listener when aborted. */
  readonly signal: AbortSignal;
  /** Paints these strokes, and anything drawn over them, on the visible canvas. */
  readonly paint: (strokes: readonly Stroke[]) => void;
  /** A stroke began. */
  readonly onStrokeStart: () => void;
  /** The stroke being drawn grew: time to schedule a live reading. */
  readonly onStrokeMove: () => void;
  /** The drawing changed for good (a stroke ended, a stroke undone) and still has ink: read it now. */
  readonly onStrokesChange: () => void;
  /** The drawing is empty now (Clear, Escape, the last stroke undone). */
  readonly onClear: () => void;
}

export interface StrokePad {
  readonly history: StrokeHistory;
  /** Paints at once (dropping a pending frame). */
  paint(): void;
  /** Paints at the next frame, once however often it is asked. */
  requestPaint(): void;
  /** Empties the drawing, as the Clear button does. */
  clear(): void;
  /** Undo and Clear are enabled only with strokes to act on. */
  updateButtons(): void;
  /** Stops the resize observer and a pending frame (listeners go with `signal`). */
  dispose(): void;
}

/** Wires strokes, sizing, Undo and Clear on `options.canvas`. */
export function mountStrokePad(options: StrokePadOptions): StrokePad {
  const { canvas, undoButton, clearButton, aspect, signal } = options;
  const history = new StrokeHistory();
  let activePointer: number | null = null;
  let rect = canvas.getBoundingClientRect();
  let frame = 0;

  const paint = () => {
    if (frame !== 0) cancelAnimationFrame(frame);
    frame = 0;
    options.paint(history.strokes);
  };
  const requestPaint = () => {
    if (frame === 0)
      frame = requestAnimationFrame(() => {
        frame = 0;
        options.paint(history.strokes);
      });
  };
  const updateButtons = () => {
    undoButton.disabled = history.isEmpty;
    clearButton.disabled = history.isEmpty;
  };
  const clear = () => {
    history.clear();
    options.onClear();
  };
  const undo = () => {
    if (!history.undo()) return;
    if (history.isEmpty) return options.onClear();
    updateButtons();
    paint();
    options.onStrokesChange();
  };

  // Backing store in device pixels, so strokes stay sharp on high-DPI screens; repaint on every size change.
  const resize = () => {
    const width = Math.round(canvas.clientWidth * (window.devicePixelRatio || 1));
    if (width > 0 && width !== canvas.width) {
      canvas.width = width;
      canvas.height = Math.round(width / aspect);
      paint();
    }
  };
  const observer = new ResizeObserver(resize);
  observer.observe(canvas);
  resize();

  const pointFrom = (event: PointerEvent) =>
    toPadPoint(event.clientX - rect.left, event.clientY - rect.top, rect.width, rect.height);
  const finishStroke = (event: PointerEvent) => {
    if (event.pointerId !== activePointer) return;
    activePointer = null;
    if (!history.end()) return;
    paint();
    options.onStrokesChange();
  };

  canvas.addEventListener(
    'pointerdown',
    (event) => {
      // One pen, finger or left mouse button draws; a second finger does not start a new stroke.
      if (!event.isPrimary || (event.pointerType === 'mouse' && event.button !== 0)) return;
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      rect = canvas.getBoundingClientRect();
      activePointer = event.pointerId;
      history.begin(pointFrom(event));
      updateButtons();
      requestPaint();
      options.onStrokeStart();
    },
    { signal },
  );
  canvas.addEventListener(
    'pointermove',
    (event) => {
      if (event.pointerId !== activePointer) return;
      // Coalesced events carry the samples between frames: smoother curves from fast strokes.
      const samples = event.getCoalescedEvents?.() ?? [];
      let changed = false;
      for (const sample of samples.length > 0 ? samples : [event])
        changed = history.extend(pointFrom(sample)) || changed;
      if (!changed) return;
      requestPaint();
      options.onStrokeMove();
    },
    { signal },
  );
  canvas.addEventListener('pointerup', finishStroke, { signal });
  canvas.addEventListener('pointercancel', finishStroke, { signal });
  canvas.addEventListener('lostpointercapture', finishStroke, { signal });
  clearButton.addEventListener('click', clear, { signal });
  undoButton.addEventListener('click', undo, { signal });
  document.addEventListener(
    'keydown',
    (event) => {
      // Only the pad on show answers: Digit and Number mode share the page and the keys.
      if (canvas.closest('[hidden]') !== null) return;
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, textarea, [contenteditable="true"]')) return;
      if (event.key === 'Escape') {
        clear();
      } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z') {
        event.preventDefault();
        undo();
      }
    },
    { signal },
  );
  // The ink colour follows the colour scheme; repaint when it changes.
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', paint, { signal });

  return {
    history,
    paint,
    requestPaint,
    clear,
    updateButtons,
    dispose() {
      observer.disconnect();
      if (frame !== 0) cancelAnimationFrame(frame);
    },
  };
}
