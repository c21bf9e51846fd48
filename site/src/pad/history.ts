import { isDistinctPoint, type Point, type Stroke } from './geometry.ts';

/**
 * The drawing as a list of finished strokes plus the one being drawn, with undo of the last stroke.
 * Pure state: rendering and input handling live elsewhere.
 */
export class StrokeHistory {
  #strokes: Point[][] = [];
  #current: Point[] | null = null;

  /** Starts a stroke; a stroke still open (a lost pointerup) is finished first. */
  begin(point: Point): void {
    this.end();
    this.#current = [point];
  }

  /** Adds a point to the open stroke; returns false when there is none or the point adds nothing. */
  extend(point: Point): boolean {
    if (this.#current === null || !isDistinctPoint(this.#current.at(-1), point)) return false;
    this.#current.push(point);
    return true;
  }

  /** Finishes the open stroke; returns whether there was one. */
  end(): boolean {
    if (this.#current === null) return false;
    this.#strokes.push(this.#current);
    this.#current = null;
    return true;
  }

  /** Removes the open stroke if any, else the last finished one; returns whether anything went. */
  undo(): boolean {
    if (this.#current !== null) {
      this.#current = null;
      return true;
    }
    return this.#strokes.pop() !== undefined;
  }

  clear(): void {
    this.#strokes = [];
    this.#current = null;
  }

  get isDrawing(): boolean {
    return this.#current !== null;
  }

  get isEmpty(): boolean {
    return this.#strokes.length === 0 && this.#current === null;
  }

  /** Finished strokes followed by the open one. */
  get strokes(): readonly Stroke[] {
    return this.#current === null ? this.#strokes : [...this.#strokes, this.#current];
  }
}
