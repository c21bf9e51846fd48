import type { Stroke } from './geometry.ts';
import { strokePath } from './smoothing.ts';

/**
 * Draws strokes (pad coordinates, 0..1 on each axis) on a `width × height` canvas that need not be square,
 * with a pen as thick as the single-digit pad's relative to the height: a digit is about as tall on both.
 */
export function renderWideStrokes(
  context: CanvasRenderingContext2D,
  strokes: readonly Stroke[],
  width: number,
  height: number,
  ink: string,
): void {
  context.clearRect(0, 0, width, height);
  const pen = Math.max(1, height * PEN_FRACTION_OF_HEIGHT);
  context.lineWidth = pen;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = ink;
  context.fillStyle = ink;
  for (const stroke of strokes) {
    context.beginPath();
    let open = false;
    for (const command of strokePath(stroke)) {
      if (command.kind === 'dot') {
        context.arc(command.at.x * width, command.at.y * height, pen / 2, 0, Math.PI * 2);
        context.fill();
      } else if (command.kind === 'move') {
        context.moveTo(command.to.x * width, command.to.y * height);
        open = true;
      } else if (command.kind === 'line') {
        context.lineTo(command.to.x * width, command.to.y * height);
      } else {
        context.quadraticCurveTo(
          command.control.x * width,
          command.control.y * height,
          command.to.x * width,
          command.to.y * height,
        );
      }
    }
    if (open) context.stroke();
  }
}

/** Pen width as a share of the pad's height (digits are written about two thirds as tall as the pad). */
export const PEN_FRACTION_OF_HEIGHT = 0.06;
