/**
 * Strokes are stored in pad-relative coordinates (0..1 on both axes of a square pad), so the same drawing
 * renders at any size: the visible canvas at the device's pixel ratio and the fixed-size canvas the model
 * input is made from.
 */

export interface Point {
  readonly x: number;
  readonly y: number;
}

export type Stroke = readonly Point[];

/** Stroke width as a fraction of the pad's side: close to MNIST's pen once the digit is scaled to 20×20. */
export const STROKE_WIDTH_FRACTION = 0.07;

/** Points closer than this (fraction of the side) to the previous one add jitter, not shape. */
export const MIN_POINT_DISTANCE = 0.004;

/**
 * Line width in pixels for a pad whose side is `sidePx` device pixels, never thinner than one pixel.
 *
 * @example strokeWidthFor(280) // 19.6
 */
export function strokeWidthFor(sidePx: number): number {
  return Math.max(1, sidePx * STROKE_WIDTH_FRACTION);
}

/** Maps a position inside an element's box (CSS pixels) to pad coordinates, clamped to the pad. */
export function toPadPoint(offsetX: number, offsetY: number, width: number, height: number): Point {
  const clamp = (value: number) => Math.min(1, Math.max(0, value));
  return { x: clamp(width > 0 ? offsetX / width : 0), y: clamp(height > 0 ? offsetY / height : 0) };
}

/** Whether `next` is far enough from `previous` to be worth keeping. */
export function isDistinctPoint(previous: Point | undefined, next: Point): boolean {
  if (previous === undefined) return true;
  return Math.hypot(next.x - previous.x, next.y - previous.y) >= MIN_POINT_DISTANCE;
}
