/**
 * A seeded generator of things that are not digits — scribbles, letters that don't look like digits,
 * stroked shapes, filled blobs, textures and blank paper with dirt — drawn as RGBA "photos" of paper and
 * put through the API's own preprocessing (`core/preprocess.ts`), so the digit detector is fitted and
 * evaluated on exactly what the model would see. Separate seeds give the fitting and the evaluation sets.
 */
import { PIXEL_COUNT } from '../core/model-spec.ts';
import { type RgbaImage, toMnistPixels } from '../core/preprocess.ts';
import { createRandom, type Random, uniform } from './random.ts';

export const NON_DIGIT_KINDS = ['scribble', 'letter', 'shape', 'blob', 'texture', 'dirty-paper'] as const;
export type NonDigitKind = (typeof NON_DIGIT_KINDS)[number];

/** Seeds of the two sets: the detector is fitted on one and evaluated on the other. */
export const FIT_SEED = 1_001;
export const EVALUATION_SEED = 2_002;

const SIZE = 84;
type Point = readonly [number, number];

/** Stroke templates in a unit box (x right, y down), one polyline per stroke; none reads as a digit. */
const LETTERS: Record<string, readonly (readonly Point[])[]> = {
  A: [
    [
      [0.1, 1],
      [0.5, 0],
      [0.9, 1],
    ],
    [
      [0.28, 0.6],
      [0.72, 0.6],
    ],
  ],
  E: [
    [
      [0.85, 0],
      [0.15, 0],
      [0.15, 1],
      [0.85, 1],
    ],
    [
      [0.15, 0.5],
      [0.7, 0.5],
    ],
  ],
  F: [
    [
      [0.85, 0],
      [0.15, 0],
      [0.15, 1],
    ],
    [
      [0.15, 0.5],
      [0.7, 0.5],
    ],
  ],
  H: [
    [
      [0.15, 0],
      [0.15, 1],
    ],
    [
      [0.85, 0],
      [0.85, 1],
    ],
    [
      [0.15, 0.5],
      [0.85, 0.5],
    ],
  ],
  K: [
    [
      [0.15, 0],
      [0.15, 1],
    ],
    [
      [0.85, 0],
      [0.15, 0.55],
    ],
    [
      [0.35, 0.4],
      [0.85, 1],
    ],
  ],
  M: [
    [
      [0.05, 1],
      [0.15, 0],
      [0.5, 0.6],
      [0.85, 0],
      [0.95, 1],
    ],
  ],
  N: [
    [
      [0.15, 1],
      [0.15, 0],
      [0.85, 1],
      [0.85, 0],
    ],
  ],
  R: [
    [
      [0.15, 1],
      [0.15, 0],
      [0.75, 0.05],
      [0.8, 0.3],
      [0.7, 0.48],
      [0.15, 0.5],
    ],
    [
      [0.45, 0.5],
      [0.85, 1],
    ],
  ],
  W: [
    [
      [0, 0],
      [0.25, 1],
      [0.5, 0.35],
      [0.75, 1],
      [1, 0],
    ],
  ],
  X: [
    [
      [0.1, 0],
      [0.9, 1],
    ],
    [
      [0.9, 0],
      [0.1, 1],
    ],
  ],
  Y: [
    [
      [0.1, 0],
      [0.5, 0.5],
      [0.9, 0],
    ],
    [
      [0.5, 0.5],
      [0.5, 1],
    ],
  ],
  m: [
    [
      [0.05, 1],
      [0.05, 0.35],
    ],
    [
      [0.05, 0.5],
      [0.25, 0.35],
      [0.45, 0.45],
      [0.5, 1],
    ],
    [
      [0.5, 0.5],
      [0.7, 0.35],
      [0.92, 0.45],
      [0.95, 1],
    ],
  ],
  w: [
    [
      [0, 0.35],
      [0.25, 1],
      [0.5, 0.5],
      [0.75, 1],
      [1, 0.35],
    ],
  ],
  '#': [
    [
      [0.35, 0],
      [0.25, 1],
    ],
    [
      [0.75, 0],
      [0.65, 1],
    ],
    [
      [0, 0.33],
      [1, 0.33],
    ],
    [
      [0, 0.67],
      [1, 0.67],
    ],
  ],
  '*': [
    [
      [0.5, 0],
      [0.5, 1],
    ],
    [
      [0.07, 0.25],
      [0.93, 0.75],
    ],
    [
      [0.93, 0.25],
      [0.07, 0.75],
    ],
  ],
  '&': [
    [
      [0.9, 1],
      [0.3, 0.35],
      [0.35, 0.05],
      [0.6, 0.05],
      [0.6, 0.3],
      [0.1, 0.65],
      [0.2, 0.95],
      [0.55, 0.95],
      [0.9, 0.55],
    ],
  ],
};
const LETTER_NAMES = Object.keys(LETTERS);

class Canvas {
  readonly ink = new Float32Array(SIZE * SIZE);

  /** A soft-edged disc of ink, combined with what is there by max. */
  dot(cx: number, cy: number, radius: number, strength = 1): void {
    const reach = Math.ceil(radius + 1);
    for (let y = Math.max(0, Math.floor(cy) - reach); y <= Math.min(SIZE - 1, Math.floor(cy) + reach); y++) {
      for (
        let x = Math.max(0, Math.floor(cx) - reach);
        x <= Math.min(SIZE - 1, Math.floor(cx) + reach);
        x++
      ) {
        const coverage = Math.min(1, Math.max(0, radius + 0.5 - Math.hypot(x + 0.5 - cx, y + 0.5 - cy)));
        const i = y * SIZE + x;
        this.ink[i] = Math.max(this.ink[i] as number, coverage * strength);
      }
    }
  }

  stroke(points: readonly Point[], width: number, strength = 1): void {
    for (let p = 1; p < points.length; p++) {
      const [x0, y0] = points[p - 1] as Point;
      const [x1, y1] = points[p] as Point;
      const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
      for (let s = 0; s <= steps; s++)
        this.dot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps, width / 2, strength);
    }
  }

  /** Even-odd fill of a polygon. */
  fill(points: readonly Point[], strength = 1): void {
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        let inside = false;
        for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
          const [xi, yi] = points[i] as Point;
          const [xj, yj] = points[j] as Point;
          if (yi > y + 0.5 !== yj > y + 0.5 && x + 0.5 < ((xj - xi) * (y + 0.5 - yi)) / (yj - yi) + xi)
            inside = !inside;
        }
        if (inside) this.ink[y * SIZE + x] = Math.max(this.ink[y * SIZE + x] as number, strength);
      }
    }
  }
}

/** Maps unit-box points into the canvas with a random rotation, size, aspect and position. */
function placer(random: Random, jitter: number) {
  const angle = uniform(random, -0.3, 0.3);
  const size = uniform(random, 40, 66);
  const aspect = uniform(random, 0.75, 1.3);
  const cx = SIZE / 2 + uniform(random, -6, 6);
  const cy = SIZE / 2 + uniform(random, -6, 6);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  return (point: readonly number[]): Point => {
    const [u = 0, v = 0] = point;
    const x = (u - 0.5 + uniform(random, -jitter, jitter)) * size * aspect;
    const y = (v - 0.5 + uniform(random, -jitter, jitter)) * size;
    return [cx + cos * x - sin * y, cy + sin * x + cos * y];
  };
}

function drawScribble(canvas: Canvas, random: Random): void {
  const strokes = 1 + Math.floor(random() * 3);
  const width = uniform(random, 2, 6);
  for (let s = 0; s < strokes; s++) {
    let [x, y] = [uniform(random, 20, 64), uniform(random, 20, 64)];
    let heading = random() * Math.PI * 2;
    let turn = uniform(random, -0.6, 0.6);
    const points: Point[] = [[x, y]];
    const steps = 30 + Math.floor(random() * 90);
    for (let i = 0; i < steps; i++) {
      turn = turn * 0.85 + uniform(random, -0.5, 0.5);
      heading += turn;
      x = Math.min(SIZE - 6, Math.max(6, x + Math.cos(heading) * 2.5));
      y = Math.min(SIZE - 6, Math.max(6, y + Math.sin(heading) * 2.5));
      points.push([x, y]);
    }
    canvas.stroke(points, width);
  }
}

function drawLetter(canvas: Canvas, random: Random): void {
  const name = LETTER_NAMES[Math.floor(random() * LETTER_NAMES.length)] as string;
  const place = placer(random, 0.04);
  const width = uniform(random, 2.5, 7);
  for (const stroke of LETTERS[name] ?? []) canvas.stroke(stroke.map(place), width);
}

function drawShape(canvas: Canvas, random: Random): void {
  const place = placer(random, 0.02);
  const width = uniform(random, 2, 6);
  const which = Math.floor(random() * 7);
  const polygon = (corners: number, inner = 1): Point[] =>
    Array.from({ length: corners * (inner === 1 ? 1 : 2) + 1 }, (_, i) => {
      const angle = (i * Math.PI * 2) / (corners * (inner === 1 ? 1 : 2)) - Math.PI / 2;
      const r = inner !== 1 && i % 2 === 1 ? 0.5 * inner : 0.5;
      return [0.5 + r * Math.cos(angle), 0.5 + r * Math.sin(angle)] as Point;
    });
  if (which === 0)
    canvas.stroke(
      [
        [0, 0],
        [1, 0],
        [1, 1],
        [0, 1],
        [0, 0],
      ].map(place),
      width,
    );
  else if (which === 1) canvas.stroke(polygon(3).map(place), width);
  else if (which === 2) canvas.stroke(polygon(5, 0.4).map(place), width);
  else if (which === 3) {
    const box: Point[] = [
      [0, 0],
      [1, 0],
      [1, 1],
      [0, 1],
      [0, 0],
    ];
    canvas.stroke(box.map(place), width);
    canvas.stroke(
      [
        [0, 0],
        [1, 1],
      ].map(place),
      width,
    );
    canvas.stroke(
      [
        [1, 0],
        [0, 1],
      ].map(place),
      width,
    );
  } else if (which === 4) {
    const turns = uniform(random, 2, 3.5);
    const spiral = Array.from({ length: 120 }, (_, i): Point => {
      const t = i / 119;
      const angle = t * turns * Math.PI * 2;
      return [0.5 + 0.5 * t * Math.cos(angle), 0.5 + 0.5 * t * Math.sin(angle)];
    });
    canvas.stroke(spiral.map(place), width);
  } else if (which === 5) {
    const teeth = 4 + Math.floor(random() * 5);
    canvas.stroke(
      Array.from({ length: teeth + 1 }, (_, i): Point => [i / teeth, i % 2 ? 0.2 : 0.8]).map(place),
      width,
    );
  } else {
    const waves = uniform(random, 1.5, 3);
    const rows = 2 + Math.floor(random() * 2);
    for (let r = 0; r < rows; r++) {
      const v = (r + 0.5) / rows;
      canvas.stroke(
        Array.from(
          { length: 60 },
          (_, i): Point => [i / 59, v + 0.12 * Math.sin((i / 59) * waves * Math.PI * 2)],
        ).map(place),
        width,
      );
    }
  }
}

function drawBlob(canvas: Canvas, random: Random): void {
  const blobs = 1 + Math.floor(random() * 3);
  for (let b = 0; b < blobs; b++) {
    const [cx, cy] = [uniform(random, 22, 62), uniform(random, 22, 62)];
    const radius = uniform(random, 6, 22);
    const corners = 10 + Math.floor(random() * 8);
    const points = Array.from({ length: corners }, (_, i): Point => {
      const angle = (i / corners) * Math.PI * 2;
      const r = radius * uniform(random, 0.6, 1.3);
      return [cx + r * Math.cos(angle), cy + r * Math.sin(angle)];
    });
    canvas.fill(points, uniform(random, 0.6, 1));
  }
}

function drawTexture(canvas: Canvas, random: Random): void {
  const which = Math.floor(random() * 5);
  const period = uniform(random, 5, 12);
  const angle = random() * Math.PI;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const u = (x * cos + y * sin) / period;
      const v = (-x * sin + y * cos) / period;
      let value: number;
      if (which === 0)
        value = u - Math.floor(u) < 0.35 ? 1 : 0; // stripes
      else if (which === 1)
        value = (Math.floor(u) + Math.floor(v)) % 2 === 0 ? 1 : 0; // checks
      else if (which === 2)
        value = u - Math.floor(u) < 0.25 || v - Math.floor(v) < 0.25 ? 1 : 0; // grid
      else if (which === 3)
        value = random() < 0.25 ? random() : 0; // speckle
      else value = 0.5 + 0.5 * Math.sin(u * 2.1) * Math.sin(v * 1.7); // cloth-like
      canvas.ink[y * SIZE + x] = value;
    }
  }
}

function drawDirt(canvas: Canvas, random: Random): void {
  const specks = 1 + Math.floor(random() * 6);
  for (let s = 0; s < specks; s++)
    canvas.dot(
      uniform(random, 4, SIZE - 4),
      uniform(random, 4, SIZE - 4),
      uniform(random, 0.4, 2),
      uniform(random, 0.3, 1),
    );
  if (random() < 0.5) {
    const [x, y] = [uniform(random, 10, 74), uniform(random, 10, 74)];
    const hair: Point[] = [
      [x, y],
      [x + uniform(random, -25, 25), y + uniform(random, -25, 25)],
    ];
    canvas.stroke(hair, uniform(random, 0.5, 1.2), uniform(random, 0.3, 0.8));
  }
  if (random() < 0.5)
    canvas.dot(
      uniform(random, 10, 74),
      uniform(random, 10, 74),
      uniform(random, 8, 20),
      uniform(random, 0.1, 0.25),
    );
}

const DRAW: Record<NonDigitKind, (canvas: Canvas, random: Random) => void> = {
  scribble: drawScribble,
  letter: drawLetter,
  shape: drawShape,
  blob: drawBlob,
  texture: drawTexture,
  'dirty-paper': drawDirt,
};

/** One non-digit as an RGBA photo of paper: uneven paper tone, dark ink, sensor noise. */
export function renderNonDigit(kind: NonDigitKind, random: Random): RgbaImage {
  const canvas = new Canvas();
  DRAW[kind](canvas, random);
  const paper = uniform(random, 190, 250);
  const inkLevel = uniform(random, 10, 90);
  const [gx, gy] = [uniform(random, -0.3, 0.3), uniform(random, -0.3, 0.3)];
  const noise = uniform(random, 0, 6);
  const data = new Uint8ClampedArray(SIZE * SIZE * 4);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const i = y * SIZE + x;
      const ground = paper + gx * (x - SIZE / 2) + gy * (y - SIZE / 2);
      const level =
        ground - (ground - inkLevel) * (canvas.ink[i] as number) + noise * (random() + random() - 1);
      data.set([level, level, level * 0.97, 255], i * 4);
    }
  }
  return { width: SIZE, height: SIZE, data };
}

export interface NonDigitSet {
  /** count × 784 model inputs. */
  readonly pixels: Float32Array;
  readonly kinds: NonDigitKind[];
}

/**
 * `count` non-digits through the API's preprocessing, kinds in turn. Drawings the preprocessing finds
 * blank (the API refuses those before the model runs) are drawn again.
 */
export function generateNonDigits(seed: number, count: number): NonDigitSet {
  const random = createRandom(seed);
  const pixels = new Float32Array(count * PIXEL_COUNT);
  const kinds: NonDigitKind[] = [];
  for (let n = 0; n < count; n++) {
    const kind = NON_DIGIT_KINDS[n % NON_DIGIT_KINDS.length] as NonDigitKind;
    let input: Float32Array | null = null;
    while (input === null) input = toMnistPixels(renderNonDigit(kind, random));
    pixels.set(input, n * PIXEL_COUNT);
    kinds.push(kind);
  }
  return { pixels, kinds };
}
