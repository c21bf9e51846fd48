import { describe, expect, it } from 'vitest';
import {
  boxesOnPad,
  digitSubject,
  digitUnsure,
  fitInside,
  parseReading,
  photoView,
  type Reading,
  readingSummary,
} from '../../site/src/pad/number-reading.ts';

const probabilities = (digit: number, confidence: number): number[] =>
  Array.from({ length: 10 }, (_, d) => (d === digit ? confidence : (1 - confidence) / 9));

const reading: Reading = {
  text: '25',
  digits: [
    {
      digit: 2,
      confidence: 0.99,
      probabilities: probabilities(2, 0.99),
      box: { x: 84, y: 28, width: 84, height: 168 },
    },
    {
      digit: 5,
      confidence: 0.98,
      probabilities: probabilities(5, 0.98),
      box: { x: 252, y: 42, width: 84, height: 154 },
    },
  ],
  confidence: 0.99 * 0.98,
  model: { version: 'abc' },
};

describe('the Number mode answer', () => {
  it('accepts a well-formed /api/read answer and rejects broken ones', () => {
    expect(parseReading(JSON.parse(JSON.stringify(reading)))).toEqual(reading);
    expect(parseReading({ ...reading, text: '2' })).toBeNull();
    expect(
      parseReading({ ...reading, digits: [{ ...reading.digits[0], box: null }, reading.digits[1]] }),
    ).toBeNull();
    expect(parseReading({ ...reading, model: {} })).toBeNull();
    expect(parseReading('<html>')).toBeNull();
  });

  it('asks about each digit with its own 28×28 image, and checks that image is 784 values', () => {
    const pixels = Array.from({ length: 784 }, (_, i) => (i % 5) / 4);
    const withPixels: Reading = {
      ...reading,
      digits: [
        reading.digits[0] as Reading['digits'][number],
        { ...reading.digits[1], pixels } as Reading['digits'][number],
      ],
    };
    expect(parseReading(JSON.parse(JSON.stringify(withPixels)))).toEqual(withPixels);
    expect(
      parseReading({ ...withPixels, digits: [reading.digits[0], { ...reading.digits[1], pixels: [0, 1] }] }),
    ).toBeNull();
    const subject = digitSubject(withPixels, 1);
    expect(subject).toMatchObject({ predicted: 5, modelVersion: 'abc' });
    expect(Array.from(subject?.pixels ?? [])).toEqual(pixels);
    // No pixels (an API without ?include=pixels): nothing to ask about.
    expect(digitSubject(withPixels, 0)).toBeNull();
    expect(digitSubject(withPixels, 2)).toBeNull();
  });

  it('reads the number and how sure the model is of all of it, as the live region says it', () => {
    expect(readingSummary(reading)).toBe('25, 97% confident');
    expect(readingSummary({ text: '7', confidence: 0.42 })).toBe('7, 42% unsure');
    // Flagged by the API: a figure would read as sure, so the summary asks for a check instead.
    expect(readingSummary({ ...reading, uncertain: true })).toBe('25? Not sure: check it');
    expect(readingSummary({ ...reading, uncertain: false })).toBe('25, 97% confident');
  });

  it('marks a digit the API is unsure of, or finds no digit, for checking', () => {
    expect(digitUnsure({ uncertain: false, isDigit: true })).toBe(false);
    expect(digitUnsure({})).toBe(false);
    expect(digitUnsure({ uncertain: true, isDigit: true })).toBe(true);
    expect(digitUnsure({ uncertain: false, isDigit: false })).toBe(true);
  });

  it('maps each digit box from the picture sent onto the visible pad', () => {
    const boxes = boxesOnPad(reading, { width: 840, height: 280 }, { width: 420, height: 140 });
    expect(boxes).toEqual([
      { x: 42, y: 14, width: 42, height: 84 },
      { x: 126, y: 21, width: 42, height: 77 },
    ]);
  });

  it('fits a photo inside the wide pad, centred, and puts the boxes where the photo is drawn', () => {
    const pad = { width: 900, height: 300 };
    const photo = { width: 800, height: 600 };
    const shownAt = fitInside(photo, pad);
    expect(shownAt).toEqual({ x: 250, y: 0, width: 400, height: 300 });
    // A portrait photo on a narrow pad: as wide as the pad, centred vertically.
    expect(fitInside({ width: 300, height: 400 }, { width: 150, height: 300 })).toEqual({
      x: 0,
      y: 50,
      width: 150,
      height: 200,
    });
    // Boxes in the photo's pixels (half size on the pad), shifted to where the photo is.
    expect(boxesOnPad(reading, photo, shownAt)).toEqual([
      { x: 250 + 42, y: 14, width: 42, height: 84 },
      { x: 250 + 126, y: 21, width: 42, height: 77 },
    ]);
  });

  it('shows the part of a photo around the digits read, shaped like the pad, inside the photo', () => {
    const pad = { width: 900, height: 300 };
    // The reading's boxes span x 84–336, y 28–196 in a 768 × 1024 portrait photo.
    const photo = { width: 768, height: 1024 };
    const { from, to } = photoView(photo, reading, pad);
    // Digits plus half their height each side: 420 × 336, widened towards 3:1 but no wider than the photo,
    // centred on the digits but not above the photo's top.
    expect(from).toEqual({ x: 0, y: 0, width: 768, height: 336 });
    expect(to).toEqual(fitInside(from, pad));
    for (const box of boxesOnPad(reading, from, to)) {
      expect(box.x).toBeGreaterThanOrEqual(to.x);
      expect(box.x + box.width).toBeLessThanOrEqual(to.x + to.width);
      expect(box.y + box.height).toBeLessThanOrEqual(to.y + to.height);
    }
    // Nothing read: the whole photo, fitted.
    expect(photoView(photo, null, pad)).toEqual({
      from: { x: 0, y: 0, width: 768, height: 1024 },
      to: fitInside(photo, pad),
    });
  });
});
