/**
 * Data augmentation over plain 28×28 Float32Arrays: a random affine warp (rotation, scale, shear, shift)
 * with an optional smooth elastic distortion, a random stroke-width change, and, at modest probabilities,
 * what a photo pipeline leaves behind (slight blur, broken strokes, faint ink, residual noise). People's
 * drawings and photos vary far more than MNIST's, so the served model sees varied digits in training.
 */
import { IMAGE_SIZE, PIXEL_COUNT } from '../core/model-spec.ts';
import { type Random, uniform } from './random.ts';

export interface AugmentOptions {
  readonly maxRotationDegrees: number;
  readonly scaleRange: readonly [number, number];
  readonly maxShear: number;
  readonly maxShiftPixels: number;
  /** Probability of a smooth elastic distortion on top of the affine warp. */
  readonly elasticProbability: number;
  /** Largest displacement, in pixels, of the elastic field's control points. */
  readonly elasticPixels: number;
  /** Probability of thickening and of thinning the strokes (each). */
  readonly strokeChangeProbability: number;
  /** Photo residue, each independently: slight blur, 1–2 gaps in strokes, faint/contrasty ink, noise. */
  readonly blurProbability: number;
  readonly breakProbability: number;
  readonly contrastProbability: number;
  readonly noiseProbability: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  maxRotationDegrees: 12,
  scaleRange: [0.9, 1.1],
  maxShear: 0.12,
  maxShiftPixels: 2,
  elasticProbability: 0.25,
  elasticPixels: 1.2,
  strokeChangeProbability: 0.12,
  blurProbability: 0.05,
  breakProbability: 0.05,
  contrastProbability: 0.08,
  noiseProbability: 0.05,
};

const centre = (IMAGE_SIZE - 1) / 2;
/** The elastic field: random displacements on a 4×4 grid of control points, bilinearly interpolated. */
const GRID = 4;
const GRID_STEP = (IMAGE_SIZE - 1) / (GRID - 1);

/** Bilinear sample with zero outside; the hot loop of augmentation, so no closures. */
function sample(image: Float32Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  if (x0 < -1 || y0 < -1 || x0 >= IMAGE_SIZE || y0 >= IMAGE_SIZE) return 0;
  const fx = x - x0;
  const fy = y - y0;
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < IMAGE_SIZE;
  let top = 0;
  let bottom = 0;
  if (y0 >= 0) {
    const row = y0 * IMAGE_SIZE;
    top =
      (inX0 ? (image[row + x0] as number) * (1 - fx) : 0) + (inX1 ? (image[row + x0 + 1] as number) * fx : 0);
  }
  if (y0 + 1 < IMAGE_SIZE) {
    const row = (y0 + 1) * IMAGE_SIZE;
    bottom =
      (inX0 ? (image[row + x0] as number) * (1 - fx) : 0) + (inX1 ? (image[row + x0 + 1] as number) * fx : 0);
  }
  return top * (1 - fy) + bottom * fy;
}

/** Grayscale dilation (thicker) or erosion (thinner) over a 3×3 cross, blended by `amount`. */
function changeStrokeWidth(image: Float32Array, thicker: boolean, amount: number): Float32Array {
  const out = new Float32Array(PIXEL_COUNT);
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const i = y * IMAGE_SIZE + x;
      const here = image[i] as number;
      const left = x > 0 ? (image[i - 1] as number) : 0;
      const right = x < IMAGE_SIZE - 1 ? (image[i + 1] as number) : 0;
      const up = y > 0 ? (image[i - IMAGE_SIZE] as number) : 0;
      const down = y < IMAGE_SIZE - 1 ? (image[i + IMAGE_SIZE] as number) : 0;
      const changed = thicker ? Math.max(here, left, right, up, down) : Math.min(here, left, right, up, down);
      out[i] = here + (changed - here) * amount;
    }
  }
  return out;
}

/** Fills `out` (784 values) with a GRID×GRID field of control values interpolated bilinearly. */
function interpolateField(field: Float64Array, out: Float32Array): void {
  for (let y = 0; y < IMAGE_SIZE; y++) {
    const gy = Math.min(y / GRID_STEP, GRID - 1.000001);
    const y0 = Math.floor(gy);
    const fy = gy - y0;
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const gx = Math.min(x / GRID_STEP, GRID - 1.000001);
      const x0 = Math.floor(gx);
      const fx = gx - x0;
      const i = y0 * GRID + x0;
      const top = (field[i] as number) * (1 - fx) + (field[i + 1] as number) * fx;
      const bottom = (field[i + GRID] as number) * (1 - fx) + (field[i + GRID + 1] as number) * fx;
      out[y * IMAGE_SIZE + x] = top * (1 - fy) + bottom * fy;
    }
  }
}

/** 3×3 binomial blur blended by `amount` (a slightly out-of-focus photo). */
function blur(image: Float32Array, amount: number): void {
  const copy = image.slice();
  const weights = [1, 2, 1];
  for (let y = 0; y < IMAGE_SIZE; y++) {
    for (let x = 0; x < IMAGE_SIZE; x++) {
      let sum = 0;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= IMAGE_SIZE) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= IMAGE_SIZE) continue;
          sum +=
            (copy[yy * IMAGE_SIZE + xx] as number) *
            (weights[dy + 1] as number) *
            (weights[dx + 1] as number);
        }
      }
      const i = y * IMAGE_SIZE + x;
      image[i] = (copy[i] as number) + (sum / 16 - (copy[i] as number)) * amount;
    }
  }
}

/** Erases 1–2 small disks centred on ink (a stroke broken by glare or a faint pen). */
function breakStrokes(image: Float32Array, random: Random): void {
  const gaps = random() < 0.5 ? 1 : 2;
  for (let g = 0; g < gaps; g++) {
    for (let attempt = 0; attempt < 30; attempt++) {
      const cx = Math.floor(random() * IMAGE_SIZE);
      const cy = Math.floor(random() * IMAGE_SIZE);
      if ((image[cy * IMAGE_SIZE + cx] as number) < 0.5) continue;
      const radius = uniform(random, 0.8, 1.8);
      const reach = Math.ceil(radius);
      for (let y = Math.max(0, cy - reach); y <= Math.min(IMAGE_SIZE - 1, cy + reach); y++) {
        for (let x = Math.max(0, cx - reach); x <= Math.min(IMAGE_SIZE - 1, cx + reach); x++) {
          const d = Math.hypot(x - cx, y - cy);
          if (d <= radius)
            image[y * IMAGE_SIZE + x] = (image[y * IMAGE_SIZE + x] as number) * (d / radius) ** 2;
        }
      }
      break;
    }
  }
}

/** Faint or harsh ink: a gamma curve and a gain below 1. */
function changeContrast(image: Float32Array, random: Random): void {
  const gamma = uniform(random, 0.6, 1.5);
  const gain = uniform(random, 0.6, 1);
  for (let i = 0; i < PIXEL_COUNT; i++) image[i] = gain * (image[i] as number) ** gamma;
}

/** Low-level background noise plus a few specks of dirt. */
function addNoise(image: Float32Array, random: Random): void {
  const level = uniform(random, 0.01, 0.06);
  for (let i = 0; i < PIXEL_COUNT; i++) image[i] = (image[i] as number) + level * (random() + random() - 1);
  const specks = Math.floor(random() * 4);
  for (let s = 0; s < specks; s++) {
    const i = Math.floor(random() * PIXEL_COUNT);
    image[i] = Math.max(image[i] as number, uniform(random, 0.2, 0.7));
  }
}

const controlX = new Float64Array(GRID * GRID);
const controlY = new Float64Array(GRID * GRID);
const elasticX = new Float32Array(PIXEL_COUNT);
const elasticY = new Float32Array(PIXEL_COUNT);

/** Writes an augmented copy of `source` (784 values in [0,1]) into `target`. */
export function augmentDigit(
  source: Float32Array,
  target: Float32Array,
  random: Random,
  options: AugmentOptions = DEFAULT_AUGMENT,
): void {
  let image = source;
  const stroke = random();
  if (stroke < options.strokeChangeProbability)
    image = changeStrokeWidth(image, true, uniform(random, 0.4, 1));
  else if (stroke < 2 * options.strokeChangeProbability)
    image = changeStrokeWidth(image, false, uniform(random, 0.3, 0.7));

  const angle = (uniform(random, -1, 1) * options.maxRotationDegrees * Math.PI) / 180;
  const scale = uniform(random, options.scaleRange[0], options.scaleRange[1]);
  const aspect = uniform(random, 0.95, 1.05);
  const shear = uniform(random, -options.maxShear, options.maxShear);
  const shiftX = uniform(random, -options.maxShiftPixels, options.maxShiftPixels);
  const shiftY = uniform(random, -options.maxShiftPixels, options.maxShiftPixels);
  const elastic = random() < options.elasticProbability;
  if (elastic) {
    const amplitude = uniform(random, 0.3, 1) * options.elasticPixels;
    for (let i = 0; i < GRID * GRID; i++) {
      controlX[i] = uniform(random, -amplitude, amplitude);
      controlY[i] = uniform(random, -amplitude, amplitude);
    }
    interpolateField(controlX, elasticX);
    interpolateField(controlY, elasticY);
  }
  // Inverse map: for each output pixel, where in the source it comes from.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const sx = scale * aspect;
  const sy = scale / aspect;
  for (let y = 0; y < IMAGE_SIZE; y++) {
    const dy = y - centre - shiftY;
    for (let x = 0; x < IMAGE_SIZE; x++) {
      const dx = x - centre - shiftX;
      const rx = (cos * dx + sin * dy) / sx;
      const ry = (-sin * dx + cos * dy) / sy;
      const i = y * IMAGE_SIZE + x;
      const u = rx - shear * ry + centre + (elastic ? (elasticX[i] as number) : 0);
      const v = ry + centre + (elastic ? (elasticY[i] as number) : 0);
      target[i] = Math.min(sample(image, u, v), 1);
    }
  }

  if (random() < options.blurProbability) blur(target, uniform(random, 0.4, 1));
  if (random() < options.breakProbability) breakStrokes(target, random);
  if (random() < options.contrastProbability) changeContrast(target, random);
  if (random() < options.noiseProbability) addNoise(target, random);
  for (let i = 0; i < PIXEL_COUNT; i++) target[i] = Math.min(1, Math.max(0, target[i] as number));
}
