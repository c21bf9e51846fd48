import type { Point, Stroke } from './geometry.ts';

/** Canvas-independent drawing commands, in pad coordinates. */
export type PathCommand =
  | { readonly kind: 'move'; readonly to: Point }
  | { readonly kind: 'line'; readonly to: Point }
  | { readonly kind: 'quad'; readonly control: Point; readonly to: Point }
  | { readonly kind: 'dot'; readonly at: Point };

const midpoint = (a: Point, b: Point): Point => ({ x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });

/**
 * A smooth path through a stroke's sampled points: quadratic curves whose control points are the samples
 * and whose ends are the midpoints between them. Corners made by sparse pointer samples disappear while
 * the path still starts at the first sample and ends at the last. A single sample becomes a dot.
 *
 * @example strokePath([{ x: 0, y: 0 }, { x: 1, y: 0 }]) // move (0,0), line (1,0)
 */
export function strokePath(stroke: Stroke): PathCommand[] {
  const [first, second] = stroke;
  if (first === undefined) return [];
  if (second === undefined) return [{ kind: 'dot', at: first }];
  const commands: PathCommand[] = [{ kind: 'move', to: first }];
  if (stroke.length === 2) {
    commands.push({ kind: 'line', to: second });
    return commands;
  }
  commands.push({ kind: 'line', to: midpoint(first, second) });
  for (let i = 1; i < stroke.length - 1; i++) {
    const control = stroke[i] as Point;
    const following = stroke[i + 1] as Point;
    const isLast = i === stroke.length - 2;
    commands.push({ kind: 'quad', control, to: isLast ? following : midpoint(control, following) });
  }
  return commands;
}
