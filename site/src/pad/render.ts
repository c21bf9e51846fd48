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

/** Clears a `side × side` canvas and draws every stroke on it with round caps and joins. */
export function renderStrokes(
  context: DrawingContext,
  strokes: readonly Stroke[],
  side: number,
  ink: string,
): void {
  context.clearRect(0, 0, side, side);
  const width = strokeWidthFor(side);
  context.lineWidth = width;
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
          context.arc(command.at.x * side, command.at.y * side, width / 2, 0, Math.PI * 2);
          context.fill();
          break;
        case 'move':
          context.moveTo(command.to.x * side, command.to.y * side);
          open = true;
          break;
        case 'line':
          context.lineTo(command.to.x * side, command.to.y * side);
          break;
        case 'quad':
          context.quadraticCurveTo(
            command.control.x * side,
            command.control.y * side,
            command.to.x * side,
            command.to.y * side,
          );
          break;
      }
    }
    if (open) context.stroke();
  }
}
