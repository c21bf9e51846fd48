/**
 * EXIF orientation (tag 0x0112 in IFD0) from a JPEG APP1 segment, and the pixel mapping it implies.
 * Phones store the sensor's frame as is and record how to turn it upright; browsers apply it, so the API
 * does too.
 */

const ORIENTATION_TAG = 0x0112;

/**
 * Orientation 1..8 from an APP1 body (`Exif\0\0` + TIFF), or null when absent or unreadable.
 * @example readExifOrientation(app1Body) // 6: stored 90° anticlockwise, shown turned 90° clockwise
 */
export function readExifOrientation(app1: Uint8Array): number | null {
  // "Exif\0\0", then a TIFF header: byte order, 42, offset of IFD0.
  if (app1.length < 14 || String.fromCharCode(...app1.subarray(0, 6)) !== 'Exif\0\0') return null;
  const tiff = app1.subarray(6);
  const little = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!little && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  if (view.getUint16(2, little) !== 42) return null;
  const ifd = view.getUint32(4, little);
  if (ifd + 2 > tiff.length) return null;
  const entries = view.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.length) return null;
    if (view.getUint16(entry, little) !== ORIENTATION_TAG) continue;
    // Type SHORT (3), count 1: the value sits in the first two bytes of the value field.
    if (view.getUint16(entry + 2, little) !== 3) return null;
    const value = view.getUint16(entry + 8, little);
    return value >= 1 && value <= 8 ? value : null;
  }
  return null;
}

/** Orientations 5..8 swap width and height. */
export const swapsSides = (orientation: number): boolean => orientation >= 5;

/**
 * Where stored pixel (x, y) of a `width`×`height` image lands in the upright image, as a pixel index.
 * Returns a function so the per-orientation branch is taken once, not per pixel.
 */
export function uprightIndex(
  orientation: number,
  width: number,
  height: number,
): (x: number, y: number) => number {
  const w1 = width - 1;
  const h1 = height - 1;
  // Upright width: the stored height for 5..8.
  const uw = swapsSides(orientation) ? height : width;
  switch (orientation) {
    case 2:
      return (x, y) => y * uw + (w1 - x);
    case 3:
      return (x, y) => (h1 - y) * uw + (w1 - x);
    case 4:
      return (x, y) => (h1 - y) * uw + x;
    case 5:
      return (x, y) => x * uw + y;
    case 6:
      return (x, y) => x * uw + (h1 - y);
    case 7:
      return (x, y) => (w1 - x) * uw + (h1 - y);
    case 8:
      return (x, y) => (w1 - x) * uw + y;
    default:
      return (x, y) => y * uw + x;
  }
}
