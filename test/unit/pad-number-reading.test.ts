import { describe, expect, it } from 'vitest';
import {
  boxesOnPad,
  digitSubject,
  parseReading,
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
  });

  it('maps each digit box from the picture sent onto the visible pad', () => {
    const boxes = boxesOnPad(reading, { width: 840, height: 280 }, { width: 420, height: 140 });
    expect(boxes).toEqual([
      { x: 42, y: 14, width: 42, height: 84 },
      { x: 126, y: 21, width: 42, height: 77 },
    ]);
  });
});
