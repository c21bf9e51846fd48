/**
 * Paints 784 model-input values (ink = 1) into a 28×28 RGBA buffer (an ImageData's `data`), blending from
 * `paper` to `ink` so people see exactly the grey levels the model receives.
 */
export function paintModelView(
  target: Uint8ClampedArray,
  pixels: ArrayLike<number>,
  ink: readonly number[],
  paper: readonly number[],
): void {
  for (let i = 0; i < pixels.length; i++) {
    const value = Math.min(1, Math.max(0, pixels[i] as number));
    for (let channel = 0; channel < 3; channel++) {
      const from = paper[channel] as number;
      target[4 * i + channel] = Math.round(from + ((ink[channel] as number) - from) * value);
    }
    target[4 * i + 3] = 255;
  }
}
