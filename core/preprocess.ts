/**
 * MNIST-style preprocessing of any RGBA image into the 28×28 input the model expects, shared by the Worker
 * (uploaded PNG/JPEG) and the site (the drawing pad, and its "what the model sees" preview).
 *
 * Steps: extract the ink of the whole frame (`core/extract-ink.ts`: transparency, polarity, the paper's own
 * brightness, lines and specks handled there), pick the digit's strokes, then as in the MNIST paper crop to
 * them, scale into a 20×20 box keeping the aspect ratio (area-averaging when shrinking) and place it in 28×28
 * so its centre of mass sits at the centre. Pure: no DOM, no Node.
 *
 * `compositeLuminance` and `inkStrength` are the earlier global version (one background level for the whole
 * image), fine for clean images; the photo bench times extraction against one `compositeLuminance` pass.
 */

import { extractInk, pickDigit } from './extract-ink.ts';
import { mnistFromInk } from './ink-map.ts';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, row by row. */
  readonly data: Uint8Array | Uint8ClampedArray;
}

/** Contrast (0..255) between ink and background below which an image counts as blank. */
export const MIN_INK_CONTRAST = 24;
/** Ink fainter than this share of the strongest ink is treated as paper noise. */
const NOISE_SHARE = 0.06;

/**
 * Grey level of every pixel (0..255, one byte each so a 4096×4096 image stays small), after compositing
 * transparency onto the background. A canvas export keeps its strokes in the alpha channel on transparent
 * black, so the background is chosen to contrast with the visible colour: white under dark ink, black under
 * light ink.
 */
export function compositeLuminance(image: RgbaImage): Uint8Array {
  const { data } = image;
  const count = image.width * image.height;
  let weighted = 0;
  let opacity = 0;
  let translucent = false;
  for (let i = 0; i < count; i++) {
    const alpha = data[4 * i + 3] as number;
    if (alpha < 255) translucent = true;
    weighted += alpha * luminanceAt(data, 4 * i);
    opacity += alpha;
  }
  const background = translucent && opacity > 0 && weighted / opacity < 128 ? 255 : 0;
  const grey = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const alpha = (data[4 * i + 3] as number) / 255;
    grey[i] = Math.round(alpha * luminanceAt(data, 4 * i) + (1 - alpha) * background);
  }
  return grey;
}

function luminanceAt(data: ArrayLike<number>, offset: number): number {
  return (
    0.299 * (data[offset] as number) +
    0.587 * (data[offset + 1] as number) +
    0.114 * (data[offset + 2] as number)
  );
}

/** The median grey level: the background, since ink covers well under half of a digit image. */
function medianLevel(grey: Uint8Array): number {
  const histogram = new Uint32Array(256);
  for (const level of grey) histogram[level] = (histogram[level] as number) + 1;
  let seen = 0;
  for (let level = 0; level < 256; level++) {
    seen += histogram[level] as number;
    if (seen * 2 >= grey.length) return level;
  }
  return 255;
}

/**
 * Ink strength per pixel (0..255): distance from the background level on the ink's side, with faint noise
 * removed and the strongest ink stretched to 255. Returns null when nothing stands out from the background.
 */
export function inkStrength(grey: Uint8Array): Uint8Array | null {
  const background = medianLevel(grey);
  // Dark ink on light paper when the background is light; light ink on a dark ground otherwise.
  const darkInk = background >= 128;
  const ink = new Uint8Array(grey.length);
  let strongest = 0;
  for (let i = 0; i < grey.length; i++) {
    const level = grey[i] as number;
    const contrast = darkInk ? background - level : level - background;
    if (contrast > 0) {
      ink[i] = contrast;
      if (contrast > strongest) strongest = contrast;
    }
  }
  if (strongest < MIN_INK_CONTRAST) return null;
  const floor = strongest * NOISE_SHARE;
  const stretch = 255 / (strongest - floor);
  for (let i = 0; i < ink.length; i++) {
    const value = ink[i] as number;
    ink[i] = value <= floor ? 0 : Math.round((value - floor) * stretch);
  }
  return ink;
}

/**
 * Turns an RGBA image of a handwritten digit into the model's input: 784 values in [0, 1], row by row,
 * ink = 1. Returns null when the image holds no ink (blank, or too little contrast).
 *
 * @example
 * const pixels = toMnistPixels({ width: canvas.width, height: canvas.height, data: context.getImageData(…).data });
 * if (pixels === null) showHint();
 */
export function toMnistPixels(image: RgbaImage): Float32Array | null {
  const { width, height } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`image size must be positive integers, got ${width}×${height}`);
  }
  if (image.data.length < width * height * 4) {
    throw new RangeError(
      `an RGBA image of ${width}×${height} needs ${width * height * 4} bytes, got ${image.data.length}`,
    );
  }
  const strokes = extractInk(image);
  const digit = strokes && pickDigit(strokes);
  return digit && mnistFromInk(digit.map, digit.region);
}

/**
 * Model-input pixels as JSON numbers with three decimals: short on the wire, and finer than the 256 levels
 * a stored correction keeps. One rounding for the pad's requests and the Worker's answers.
 *
 * @example pixelsForJson(Float32Array.of(0.123456, 1)) // [0.123, 1]
 */
export function pixelsForJson(pixels: ArrayLike<number>): number[] {
  return Array.from(pixels, (value) => Math.round(value * 1000) / 1000);
}
