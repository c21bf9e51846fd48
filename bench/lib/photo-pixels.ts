/**
 * Seeded photo-like pixels for the decoding tests and bench: pure (no Node built-ins), so the workerd
 * tests can build the same pictures inside the runtime.
 */

/** A small deterministic generator (LCG): the same seed, the same picture. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A photo-like RGB(A) picture: paper with a lighting gradient, sensor noise and a dark ring of ink, so
 * JPEG and deflate have real work to do.
 */
export function paperPhoto(width: number, height: number, channels: 1 | 3 | 4, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const data = new Uint8Array(width * height * channels);
  const cx = width / 2;
  const cy = height / 2;
  const radius = Math.min(width, height) / 4;
  const stroke = Math.max(2, radius / 12);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const noise = (random() - 0.5) * 24;
      const ink = Math.abs(Math.hypot(x - cx, y - cy) - radius) < stroke;
      const level = (ink ? 50 : 190 + (40 * x) / width) + noise;
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) data[o + c] = c === 3 ? 255 : c === 2 ? level - 12 : level;
    }
  }
  return data;
}
