/** Request bodies made from real MNIST digits: the same input for every run. */
import { encode } from 'fast-png';
import { IMAGE_SIZE } from '../../core/model-spec.ts';

/**
 * A digit scaled up `scale` times (nearest neighbour) as an RGBA PNG with its ink in the alpha channel:
 * what a browser canvas export of the drawing pad looks like.
 */
export function digitAsCanvasPng(pixels: Float32Array, scale = 10): Uint8Array {
  const size = IMAGE_SIZE * scale;
  const rgba = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const ink = pixels[Math.floor(y / scale) * IMAGE_SIZE + Math.floor(x / scale)] ?? 0;
      rgba[(y * size + x) * 4 + 3] = Math.round(ink * 255); // black ink, opacity = ink
    }
  }
  return encode({ width: size, height: size, data: rgba, channels: 4, depth: 8 });
}
