import { type Stroke, strokeWidthFor } from './geometry.ts';
import { strokePath } from './smoothing.ts';

/** The subset of CanvasRenderingContext2D the renderer needs, so tests and callers can pass any context. */
type DrawingContext = Pick<
  CanvasRenderingContext2D,
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'quadraticCurveTo'
  | 'arc'
  | 'fill'
  | 'stroke'
  | 'clearRect'
  | 'lineWidth'
  | 'lineCap'
  | 'lineJoin'
  | 'strokeStyle'
  | 'fillStyle'
>;

/**
 * Clears a `width × height` canvas and draws every stroke (pad coordinates, 0..1 on each axis) on it with a
 * round pen `pen` pixels wide. The digit pad is square; the number pad is 3:1.
 */
export function renderStrokes(
  context: DrawingContext,
  strokes: readonly Stroke[],
  size: { readonly width: number; readonly height: number; readonly pen: number },
  ink: string,
): void {
  const { width, height, pen } = size;
  context.clearRect(0, 0, width, height);
  context.lineWidth = pen;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = ink;
  context.fillStyle = ink;
  for (const stroke of strokes) {
    context.beginPath();
    let open = false;
    for (const command of strokePath(stroke)) {
      switch (command.kind) {
        case 'dot':
          context.arc(command.at.x * width, command.at.y * height, pen / 2, 0, Math.PI * 2);
          context.fill();
          break;
        case 'move':
          context.moveTo(command.to.x * width, command.to.y * height);
          open = true;
          break;
        case 'line':
          context.lineTo(command.to.x * width, command.to.y * height);
          break;
        case 'quad':
          context.quadraticCurveTo(
            command.control.x * width,
            command.control.y * height,
            command.to.x * width,
            command.to.y * height,
          );
          break;
      }
    }
    if (open) context.stroke();
  }
}

/** The digit pad's size for renderStrokes: a `side × side` canvas with the MNIST-like pen. */
export const squarePad = (side: number) => ({ width: side, height: side, pen: strokeWidthFor(side) });

/** Pen width as a share of the number pad's height (digits are written about two thirds as tall as the pad). */
const PEN_FRACTION_OF_HEIGHT = 0.06;

/**
 * The number pad's size for renderStrokes: a pen as thick as the digit pad's relative to the height, so a
 * digit is about as tall on both.
 */
export const widePad = (width: number, height: number) => ({
  width,
  height,
  pen: Math.max(1, height * PEN_FRACTION_OF_HEIGHT),
});
