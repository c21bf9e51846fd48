/**
 * Grey-level morphology and box smoothing on Float32Array images, the building blocks of the photo ink
 * extraction. Max and min filters use van Herk / Gil-Werman: three comparisons a pixel whatever the window,
 * so a window wider than the thickest pen stroke costs no more than a small one. Pure, no dependencies.
 */

/** Sliding max (or min) over `size` samples centred on each sample of one line, edges padded neutrally. */
function slidingExtreme(
  line: Float32Array,
  out: Float32Array,
  radius: number,
  max: boolean,
  padded: Float32Array,
  prefix: Float32Array,
  suffix: Float32Array,
): void {
  const n = line.length;
  const size = 2 * radius + 1;
  const length = n + 2 * radius;
  // Work on negated values for a min filter, so one max loop serves both (no per-pixel function calls).
  const sign = max ? 1 : -1;
  padded.fill(Number.NEGATIVE_INFINITY, 0, radius);
  for (let i = 0; i < n; i++) padded[radius + i] = sign * (line[i] as number);
  padded.fill(Number.NEGATIVE_INFINITY, radius + n, length);
  let running = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < length; i++) {
    const value = padded[i] as number;
    running = i % size === 0 || value > running ? value : running;
    prefix[i] = running;
  }
  running = Number.NEGATIVE_INFINITY;
  for (let i = length - 1; i >= 0; i--) {
    const value = padded[i] as number;
    running = (i + 1) % size === 0 || value > running ? value : running;
    suffix[i] = running;
  }
  // Window [i, i + size − 1] of the padded line spans at most two blocks: suffix of the first, prefix of
  // the second.
  for (let i = 0; i < n; i++) {
    const a = suffix[i] as number;
    const b = prefix[i + size - 1] as number;
    out[i] = sign * Math.max(a, b);
  }
}

/** Max (`max` true) or min filter over a `(2·radius + 1)²` square, separable. Returns a new image. */
export function squareExtreme(
  image: Float32Array,
  width: number,
  height: number,
  radius: number,
  max: boolean,
): Float32Array {
  const longest = Math.max(width, height);
  const padded = new Float32Array(longest + 2 * radius);
  const prefix = new Float32Array(longest + 2 * radius);
  const suffix = new Float32Array(longest + 2 * radius);
  const rows = new Float32Array(width * height);
  const line = new Float32Array(longest);
  const out = new Float32Array(longest);
  for (let y = 0; y < height; y++) {
    const row = image.subarray(y * width, (y + 1) * width);
    slidingExtreme(row, rows.subarray(y * width, (y + 1) * width), radius, max, padded, prefix, suffix);
  }
  const result = new Float32Array(width * height);
  const column = line.subarray(0, height);
  const columnOut = out.subarray(0, height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) column[y] = rows[y * width + x] as number;
    slidingExtreme(column, columnOut, radius, max, padded, prefix, suffix);
    for (let y = 0; y < height; y++) result[y * width + x] = columnOut[y] as number;
  }
  return result;
}

/**
 * Grey closing (max filter, then min filter): removes dark features narrower than the window (ink strokes,
 * thin lines) and keeps the paper's own brightness, including the sharp edge of a shadow. The picture is
 * extended past its edges by point reflection (2·edge − inside), which continues a light gradient or a
 * vignette outwards, so the paper is not overestimated near the edges.
 */
export function closing(image: Float32Array, width: number, height: number, radius: number): Float32Array {
  // One window of reflected border is enough: beyond it the dilation could only lower the paper estimate.
  const pad = radius;
  const paddedWidth = width + 2 * pad;
  const paddedHeight = height + 2 * pad;
  const padded = new Float32Array(paddedWidth * paddedHeight);
  // For each padded index: the source index and the edge index it is reflected about (2·edge − source).
  const reflection = (size: number, paddedSize: number): { source: Int32Array; edge: Int32Array } => {
    const source = new Int32Array(paddedSize);
    const edge = new Int32Array(paddedSize);
    for (let p = 0; p < paddedSize; p++) {
      const index = p - pad;
      source[p] =
        index < 0 ? Math.min(size - 1, -index) : index >= size ? Math.max(0, 2 * (size - 1) - index) : index;
      edge[p] = index < 0 ? 0 : index >= size ? size - 1 : index;
    }
    return { source, edge };
  };
  const columns = reflection(width, paddedWidth);
  const rows = reflection(height, paddedHeight);
  for (let py = 0; py < paddedHeight; py++) {
    const sourceRow = (rows.source[py] as number) * width;
    const edgeRow = (rows.edge[py] as number) * width;
    for (let px = 0; px < paddedWidth; px++) {
      const sx = columns.source[px] as number;
      const ex = columns.edge[px] as number;
      // Reflect across x in both rows, then across y (a point reflection at the corners).
      const alongEdgeRow = 2 * (image[edgeRow + ex] as number) - (image[edgeRow + sx] as number);
      const alongSourceRow = 2 * (image[sourceRow + ex] as number) - (image[sourceRow + sx] as number);
      padded[py * paddedWidth + px] = 2 * alongEdgeRow - alongSourceRow;
    }
  }
  const closed = squareExtreme(
    squareExtreme(padded, paddedWidth, paddedHeight, radius, true),
    paddedWidth,
    paddedHeight,
    radius,
    false,
  );
  const result = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (y + pad) * paddedWidth + pad;
    result.set(closed.subarray(from, from + width), y * width);
  }
  return result;
}

/** Mean over a `(2·radius + 1)²` square (clipped at the edges), from a summed-area table. */
export function boxMean(image: Float32Array, width: number, height: number, radius: number): Float32Array {
  const stride = width + 1;
  const sums = new Float64Array(stride * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += image[y * width + x] as number;
      sums[(y + 1) * stride + x + 1] = (sums[y * stride + x + 1] as number) + row;
    }
  }
  const result = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const left = Math.max(0, x - radius);
      const right = Math.min(width, x + radius + 1);
      const total =
        (sums[bottom * stride + right] as number) -
        (sums[top * stride + right] as number) -
        (sums[bottom * stride + left] as number) +
        (sums[top * stride + left] as number);
      result[y * width + x] = total / ((bottom - top) * (right - left));
    }
  }
  return result;
}
