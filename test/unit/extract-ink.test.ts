import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  eraseLines,
  extractInk,
  isLightInk,
  pickDigit,
  WORK_SIDE,
  workingGrey,
} from '../../core/extract-ink.ts';
import { closing, squareExtreme } from '../../core/morphology.ts';
import type { RgbaImage } from '../../core/preprocess.ts';

/** A grey scene drawn by a function of (x, y) → grey level. */
const scene = (width: number, height: number, level: (x: number, y: number) => number): RgbaImage => {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      data.fill(level(x, y), 4 * (y * width + x), 4 * (y * width + x) + 3);
      data[4 * (y * width + x) + 3] = 255;
    }
  }
  return { width, height, data };
};

/** An upright "1": a vertical bar 12 px wide from y = 60 to 200, centred at x = 150. */
const inBar = (x: number, y: number): boolean => x >= 144 && x < 156 && y >= 60 && y < 200;

const inkAt = (map: { width: number; ink: Uint8Array }, x: number, y: number): number =>
  map.ink[y * map.width + x] as number;

describe('morphology', () => {
  const naive = (image: Float32Array, width: number, height: number, radius: number, max: boolean) => {
    const out = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let best = max ? -Infinity : Infinity;
        for (let dy = -radius; dy <= radius; dy++) {
          for (let dx = -radius; dx <= radius; dx++) {
            const v = image[(y + dy) * width + x + dx];
            if (y + dy < 0 || y + dy >= height || x + dx < 0 || x + dx >= width || v === undefined) continue;
            best = max ? Math.max(best, v) : Math.min(best, v);
          }
        }
        out[y * width + x] = best;
      }
    }
    return out;
  };

  it('max and min filters match a direct computation on any image and window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 0, max: 7 }),
        fc.boolean(),
        fc.integer(),
        (width, height, radius, max, seed) => {
          const image = Float32Array.from(
            { length: width * height },
            (_, i) => ((seed + i * 7919) % 251) / 7,
          );
          expect(Array.from(squareExtreme(image, width, height, radius, max))).toEqual(
            Array.from(naive(image, width, height, radius, max)),
          );
        },
      ),
    );
  });

  it('closing removes a stroke narrower than its window and keeps a step edge', () => {
    const width = 40;
    const image = Float32Array.from({ length: width * 20 }, (_, i) => {
      const x = i % width;
      if (x >= 10 && x < 13) return 20; // a dark stroke 3 px wide
      return x < 25 ? 200 : 100; // paper, then a shadow from x = 25
    });
    const paper = closing(image, width, 20, 4);
    expect(paper[5 * width + 11]).toBe(200);
    expect(paper[5 * width + 24]).toBe(200);
    expect(paper[5 * width + 25]).toBe(100);
  });
});

describe('extractInk', () => {
  it('reduces large pictures to the working resolution', () => {
    const grey = workingGrey(scene(2000, 1000, () => 200));
    expect(Math.max(grey.width, grey.height)).toBe(WORK_SIDE);
    expect(grey.width / grey.height).toBeCloseTo(2, 1);
    expect(grey.grey[0]).toBeCloseTo(200, 3);
  });

  it('tells dark ink on paper from light ink on a board, also for fat strokes', () => {
    for (const width of [12, 60]) {
      const bar = (x: number, y: number): boolean => Math.abs(x - 150) < width / 2 && y >= 60 && y < 200;
      const dark = workingGrey(scene(300, 260, (x, y) => (bar(x, y) ? 30 : 220)));
      const light = workingGrey(scene(300, 260, (x, y) => (bar(x, y) ? 230 : 40)));
      expect(isLightInk(dark.grey, dark.width, dark.height)).toBe(false);
      expect(isLightInk(light.grey, light.width, light.height)).toBe(true);
    }
  });

  it('removes uneven light, vignetting and a sharp shadow, and keeps the stroke inside the shadow', () => {
    const picture = scene(300, 260, (x, y) => {
      const light = (1 - 0.35 * (x / 300)) * (1 - (0.4 * ((x - 150) ** 2 + (y - 130) ** 2)) / 150 ** 2);
      const shadow = y > 120 ? 0.5 : 1; // the edge crosses the bar
      return (inBar(x, y) ? 40 : 230) * light * shadow;
    });
    const map = extractInk(picture);
    expect(map).not.toBeNull();
    if (map === null) return;
    let paperInk = 0;
    for (let y = 0; y < map.height; y++)
      for (let x = 0; x < map.width; x++) if (!inBar(x, y) && inkAt(map, x, y) > 0) paperInk++;
    expect(paperInk).toBe(0);
    expect(inkAt(map, 150, 80)).toBeGreaterThan(128);
    expect(inkAt(map, 150, 180)).toBeGreaterThan(128);
  });

  it('erases ruled lines without cutting the stroke that crosses them', () => {
    const onLine = (y: number): boolean => y % 30 === 0 || y % 30 === 1;
    const picture = scene(300, 260, (x, y) => (inBar(x, y) ? 30 : onLine(y) ? 150 : 235));
    const map = extractInk(picture);
    expect(map).not.toBeNull();
    if (map === null) return;
    for (let y = 0; y < map.height; y++) {
      for (let x = 0; x < map.width; x++) {
        if (inBar(x, y)) expect(inkAt(map, x, y), `bar pixel (${x}, ${y})`).toBeGreaterThan(0);
        else if (Math.abs(x - 150) > 8) expect(inkAt(map, x, y), `paper pixel (${x}, ${y})`).toBe(0);
      }
    }
  });

  it('follows a thin line whose tilt falls between the slopes it tries', () => {
    // 0.25° lies halfway between two tried slopes: the predicted row drifts up to a pixel off the line.
    const width = 320;
    const height = 240;
    const mask = new Uint8Array(width * height);
    const tilt = Math.tan((0.25 * Math.PI) / 180);
    for (const y0 of [40, 100, 160, 220]) {
      for (let x = 0; x < width; x++) mask[Math.round(y0 + x * tilt) * width + x] = 1;
    }
    for (let y = 60; y < 200; y++) mask.fill(1, y * width + 150, y * width + 162); // a stroke crossing them
    eraseLines(mask, Float32Array.from(mask), width, height);
    let outside = 0;
    for (let i = 0; i < mask.length; i++) {
      const x = i % width;
      if (mask[i] !== 0 && (x < 150 || x >= 162)) outside++;
    }
    expect(outside).toBe(0);
    expect(mask[130 * width + 155]).toBe(1);
  });

  it('keeps a dark stroke that runs along a faint rule, and erases the rule either side of it', () => {
    const width = 320;
    const height = 240;
    const mask = new Uint8Array(width * height);
    const ink = new Float32Array(width * height);
    const put = (x: number, y: number, darkness: number) => {
      mask[y * width + x] = 1;
      ink[y * width + x] = Math.max(ink[y * width + x] as number, darkness);
    };
    for (const y of [40, 100, 160]) for (let x = 0; x < width; x++) put(x, y, 0.15); // faint rules
    // A pen stroke lying on the middle rule, 3 px thick: as thin across the rule as the rule allows.
    for (let x = 120; x < 180; x++) for (let y = 99; y <= 101; y++) put(x, y, 0.8);
    eraseLines(mask, ink, width, height);
    for (let x = 120; x < 180; x++) expect(mask[100 * width + x], `stroke pixel (${x}, 100)`).toBe(1);
    let rule = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i] !== 0 && (i % width < 120 || i % width >= 180)) rule++;
    expect(rule).toBe(0);
  });

  it('erases a rule that strokes cross for more than half of its length', () => {
    const width = 320;
    const height = 240;
    const mask = new Uint8Array(width * height);
    for (const y of [40, 100, 160]) mask.fill(1, y * width, (y + 1) * width); // rules, the middle one through the digits
    // Dense writing: 10-px-wide strokes every 12 px across the middle rule, over 60% of its length.
    for (let x = 20; x < 260; x++)
      if ((x - 20) % 12 < 10) for (let y = 80; y < 121; y++) mask[y * width + x] = 1;
    eraseLines(mask, Float32Array.from(mask), width, height);
    let rule = 0;
    for (let x = 0; x < width; x++)
      if (x < 20 || x >= 260 || (x - 20) % 12 >= 10) rule += mask[100 * width + x] as number;
    expect(rule).toBe(0);
    expect(mask[100 * width + 24]).toBe(1); // the strokes stay whole
  });

  it('keeps a long vertical stroke of a large digit that spans most of the frame', () => {
    const mask = new Uint8Array(100 * 100);
    for (let y = 15; y < 85; y++) mask.fill(1, y * 100 + 49, y * 100 + 51);
    eraseLines(mask, Float32Array.from(mask), 100, 100);
    expect(mask.reduce((a, b) => a + b, 0)).toBe(70 * 2);
  });

  it('drops the soft corner of a shadow that the paper estimate cannot follow, and keeps the strokes', () => {
    // A dark, soft-edged spot narrower than the paper's window: its darkening ramps up to about half the
    // stroke's, with nowhere as dark as a stroke.
    const picture = scene(300, 260, (x, y) => {
      if (inBar(x, y)) return 30;
      const d = Math.hypot(x - 240, y - 60);
      return d < 24 ? 230 - 100 * Math.cos(((d / 24) * Math.PI) / 2) : 230;
    });
    const map = extractInk(picture);
    expect(map).not.toBeNull();
    if (map === null) return;
    const scale = map.width / 300;
    expect(inkAt(map, Math.round(150 * scale), Math.round(130 * scale))).toBeGreaterThan(200);
    let spot = 0;
    for (let y = Math.round(36 * scale); y < Math.round(84 * scale); y++)
      for (let x = Math.round(216 * scale); x < Math.round(264 * scale); x++) spot += inkAt(map, x, y);
    expect(spot).toBe(0);
  });

  it('returns null for a blank or evenly shaded picture', () => {
    expect(extractInk(scene(200, 150, () => 0))).toBeNull();
    expect(extractInk(scene(200, 150, (x) => 100 + x / 2))).toBeNull();
  });
});

describe('pickDigit', () => {
  it('keeps the broken strokes of the digit and leaves far-away specks out', () => {
    const picture = scene(300, 260, (x, y) => {
      if (inBar(x, y) && !(y >= 120 && y < 126)) return 30; // a bar broken once
      if (x >= 164 && x < 200 && y >= 60 && y < 70) return 30; // a separate flag, like a 7's bar
      if ((x - 20) ** 2 + (y - 230) ** 2 < 16) return 30; // a speck in a corner
      return 230;
    });
    const map = extractInk(picture);
    expect(map).not.toBeNull();
    const digit = map && pickDigit(map);
    expect(digit).not.toBeNull();
    if (digit === null || map === null) return;
    expect(digit.region).toEqual({ x: 144, y: 60, width: 56, height: 140 });
    expect(inkAt(digit.map, 20, 230)).toBe(0);
    expect(inkAt(digit.map, 150, 190)).toBeGreaterThan(0);
  });
});
