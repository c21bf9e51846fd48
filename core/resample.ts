/**
 * Separable resampling of a grey image held in a plain Float32Array: area-averaging when shrinking (each
 * output pixel is the coverage-weighted mean of the source pixels under it, so thin strokes fade rather
 * than vanish) and linear interpolation when enlarging. Pure and dependency-free: shared by site and Worker.
 */

interface AxisTap {
  readonly start: number;
  readonly weights: Float32Array;
}

/** For each destination index, the source span it reads and the weight of each source sample. */
function axisTaps(sourceLength: number, destinationLength: number): AxisTap[] {
  const scale = sourceLength / destinationLength;
  const taps: AxisTap[] = [];
  for (let d = 0; d < destinationLength; d++) {
    if (scale >= 1) {
      const from = d * scale;
      const to = from + scale;
      const start = Math.floor(from);
      const end = Math.min(sourceLength, Math.ceil(to));
      const weights = new Float32Array(end - start);
      for (let s = start; s < end; s++)
        weights[s - start] = (Math.min(to, s + 1) - Math.max(from, s)) / scale;
      taps.push({ start, weights });
    } else {
      // Sample at the destination pixel's centre, mapped into source pixel-centre coordinates.
      const centre = Math.min(sourceLength - 1, Math.max(0, (d + 0.5) * scale - 0.5));
      const start = Math.min(sourceLength - 1, Math.floor(centre));
      const fraction = centre - start;
      taps.push(
        start + 1 < sourceLength
          ? { start, weights: Float32Array.of(1 - fraction, fraction) }
          : { start, weights: Float32Array.of(1) },
      );
    }
  }
  return taps;
}

/** A rectangle of the source, in pixels. */
export interface Region {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/**
 * Resamples `region` of `source` (row-major, `stride` values a row; any numeric typed array, so a large
 * image can stay in bytes) to a `width × height` Float32Array.
 *
 * @example resampleArea(Float32Array.of(1, 0, 0, 1), 2, { x: 0, y: 0, width: 2, height: 2 }, 1, 1) // → [0.5]
 */
export function resampleArea(
  source: ArrayLike<number>,
  stride: number,
  region: Region,
  width: number,
  height: number,
): Float32Array {
  const sourceWidth = region.width;
  const sourceHeight = region.height;
  const columns = axisTaps(sourceWidth, width);
  const rows = axisTaps(sourceHeight, height);
  // Horizontal pass first: it shrinks each row to at most `width` values, keeping the intermediate small
  // even for a 4096×4096 source.
  const horizontal = new Float32Array(sourceHeight * width);
  for (let y = 0; y < sourceHeight; y++) {
    const rowOffset = (region.y + y) * stride + region.x;
    for (let x = 0; x < width; x++) {
      const tap = columns[x] as AxisTap;
      let sum = 0;
      for (let k = 0; k < tap.weights.length; k++)
        sum += (tap.weights[k] as number) * (source[rowOffset + tap.start + k] as number);
      horizontal[y * width + x] = sum;
    }
  }
  const result = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const tap = rows[y] as AxisTap;
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let k = 0; k < tap.weights.length; k++)
        sum += (tap.weights[k] as number) * (horizontal[(tap.start + k) * width + x] as number);
      result[y * width + x] = sum;
    }
  }
  return result;
}
