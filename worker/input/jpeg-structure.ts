/**
 * JPEG marker walk up to the frame header: size, components, coding process, EXIF orientation and the
 * Adobe colour transform, all read from the header so the decoded size is known before any pixel is
 * decoded. Pure: bytes in, a description out, or null for bytes that are not a readable JPEG header.
 */

import { readExifOrientation } from './exif-orientation.ts';

interface JpegComponentSpec {
  readonly id: number;
  /** Horizontal and vertical sampling factors (1..4). */
  readonly h: number;
  readonly v: number;
  /** Quantisation table index (0..3). */
  readonly quantTable: number;
}

type JpegProcess = 'baseline' | 'progressive' | 'unsupported';

export interface JpegHeader {
  readonly width: number;
  readonly height: number;
  readonly precision: number;
  readonly process: JpegProcess;
  readonly components: readonly JpegComponentSpec[];
  /** EXIF orientation 1..8 (1 when absent). */
  readonly orientation: number;
  /** Adobe APP14 transform flag (0: RGB/CMYK stored as is, 1: YCbCr, 2: YCCK), null without APP14. */
  readonly adobeTransform: number | null;
  /** Offset of the start-of-frame marker. */
  readonly frameOffset: number;
}

export const isJpeg = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

const u16 = (bytes: Uint8Array, at: number): number =>
  ((bytes[at] as number) << 8) | (bytes[at + 1] as number);

/** Start-of-frame markers are C0..CF except DHT (C4), JPG (C8) and DAC (CC). */
const isStartOfFrame = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** The frame header and what precedes it, or null when the bytes end or break before a frame header. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader | null {
  if (!isJpeg(bytes)) return null;
  let orientation = 1;
  let adobeTransform: number | null = null;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return null;
    const marker = bytes[offset + 1] as number;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    const length = u16(bytes, offset + 2);
    if (length < 2 || offset + 2 + length > bytes.length) return null;
    const body = offset + 4;
    if (marker === 0xe1) {
      orientation = readExifOrientation(bytes.subarray(body, offset + 2 + length)) ?? orientation;
    } else if (
      marker === 0xee &&
      length >= 14 &&
      String.fromCharCode(...bytes.subarray(body, body + 5)) === 'Adobe'
    ) {
      adobeTransform = bytes[body + 11] as number;
    } else if (isStartOfFrame(marker)) {
      if (length < 8) return null;
      const count = bytes[body + 5] as number;
      if (length < 8 + 3 * count) return null;
      const components: JpegComponentSpec[] = [];
      for (let i = 0; i < count; i++) {
        const at = body + 6 + 3 * i;
        const sampling = bytes[at + 1] as number;
        components.push({
          id: bytes[at] as number,
          h: sampling >> 4,
          v: sampling & 15,
          quantTable: bytes[at + 2] as number,
        });
      }
      const process: JpegProcess =
        marker === 0xc0 || marker === 0xc1 ? 'baseline' : marker === 0xc2 ? 'progressive' : 'unsupported';
      return {
        precision: bytes[body] as number,
        height: u16(bytes, body + 1),
        width: u16(bytes, body + 3),
        process,
        components,
        orientation,
        adobeTransform,
        frameOffset: offset,
      };
    }
    offset += 2 + length;
  }
  return null;
}
