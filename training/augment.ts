/**
 * Data augmentation over plain 28×28 Float32Arrays: a random affine warp (rotation, scale, shear, shift)
 * and a random stroke-width change. People's drawings vary far more than MNIST's, so the served model sees
 * varied digits in training.
 */
import { IMAGE_SIZE, PIXEL_COUNT } from '../core/model-spec.ts';
import { type Random, uniform } from './random.ts';

export interface AugmentOptions {
  readonly maxRotationDegrees: number;
  readonly scaleRange: readonly [number, number];
  readonly maxShear: number;
  readonly maxShiftPixels: number;
  /** Probability of thickening and of thinning the strokes (each). */
  readonly strokeChangeProbability: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  maxRotationDegrees: 12,
  scaleRange: [0.88, 1.12],
  maxShear: 0.12,
  maxShiftPixels: 2.5,
  strokeChangeProbability: 0.15,
};

const centre = (IMAGE_SIZE - 1) / 2;

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
      const value = sample(image, rx - shear * ry + centre, ry + centre);
      target[y * IMAGE_SIZE + x] = Math.min(value, 1);
    }
  }
}
