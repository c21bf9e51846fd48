/// <reference lib="dom" />
// Number mode in Debian's Chromium against the real Worker: write numbers on the wide pad and read them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type BrowserSession,
  DESKTOP,
  ellipse,
  launchBrowser,
  mouseStroke,
  type PadPoint,
  PHONE,
  touchStroke,
  type Viewport,
} from './browser.ts';

const baseUrl = inject('baseUrl');
let browser: BrowserSession;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Strokes of one digit in a cell `left`..`left + 0.12` of the 3:1 pad (x in fractions of its width). */
const digitStrokes: Record<string, (left: number) => PadPoint[][]> = {
  '2': (x) => [
    [
      [x + 0.015, 0.32],
      [x + 0.04, 0.2],
      [x + 0.075, 0.2],
      [x + 0.09, 0.32],
      [x + 0.075, 0.45],
      [x + 0.01, 0.8],
      [x + 0.1, 0.8],
    ],
  ],
  '0': (x) => [ellipse(x + 0.05, 0.5, 0.04, 0.3)],
  '5': (x) => [
    [
      [x + 0.09, 0.2],
      [x + 0.02, 0.2],
      [x + 0.015, 0.48],
      [x + 0.06, 0.44],
      [x + 0.09, 0.55],
      [x + 0.085, 0.72],
      [x + 0.05, 0.8],
      [x + 0.01, 0.74],
    ],
  ],
  '7': (x) => [
    [
      [x + 0.01, 0.22],
      [x + 0.1, 0.22],
      [x + 0.04, 0.8],
    ],
  ],
  '1': (x) => [
    [
      [x + 0.05, 0.2],
      [x + 0.05, 0.8],
    ],
  ],
};

async function openNumberMode(viewport: Viewport) {
  const page = await browser.open(viewport);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Number', exact: true }).click();
  const pad = page.getByRole('img', { name: 'Number pad' });
  const status = page.locator('[data-number-result]');
  const write = async (strokes: PadPoint[][]) => {
    for (const stroke of strokes) await (viewport.touch ? touchStroke : mouseStroke)(page, pad, stroke);
  };
  const writeNumber = async (text: string, lefts: number[]) => {
    for (const [i, digit] of [...text].entries()) await write(digitStrokes[digit]?.(lefts[i] ?? 0) ?? []);
  };
  const reads = async (text: string) => {
    const current = async () => (await status.textContent())?.trim() ?? '';
    await expect.poll(current).toMatch(new RegExp(`^${text}, [<>]?\\d+% `));
    return current();
  };
  return { page, pad, status, write, writeNumber, reads, errors };
}

describe('Number mode', () => {
  it('reads "2025" written with the mouse, with a box and digit over each, probabilities one tap away', async () => {
    const { page, writeNumber, reads, errors } = await openNumberMode(DESKTOP);
    await writeNumber('2025', [0.15, 0.33, 0.51, 0.69]);
    expect(await reads('2025')).toMatch(/^2025, [<>]?\d+% (confident|fairly sure|unsure)$/);
    const digits = page.locator('[data-number-digit]');
    expect(await digits.allTextContents()).toEqual(['2', '0', '2', '5']);
    await digits.nth(3).click();
    const details = page.locator('[data-number-details]');
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await details.locator('li').count()).toBe(10);
    expect(await details.locator('li[data-top]').textContent()).toMatch(/^5: /);
    // Keyboard: Ctrl+Z takes the 5 back, Escape clears.
    await page.keyboard.press('Control+z');
    await reads('202');
    await page.keyboard.press('Escape');
    await expect
      .poll(async () => page.locator('[data-number-result]').getAttribute('data-state'))
      .toBe('empty');
    expect(errors).toEqual([]);
  });

  it('reads a single "7" written with a finger', async () => {
    const { writeNumber, reads, errors } = await openNumberMode(PHONE);
    await writeNumber('7', [0.44]);
    await reads('7');
    expect(errors).toEqual([]);
  });

  // Known limitation (see README, "Reading whole numbers"): touching pairs written on the pad are mostly read
  // as one digit; this one is read right since the pad goes through the photo extraction.
  it('splits a touching pair: "2027" with the 2 written against the 7', async () => {
    const { writeNumber, reads, page, errors } = await openNumberMode(DESKTOP);
    // The 2's top reaches the start of the 7's bar: one connected mark on the pad.
    await writeNumber('2027', [0.15, 0.33, 0.51, 0.6]);
    await reads('2027');
    expect(await page.locator('[data-number-digit]').count()).toBe(4);
    expect(errors).toEqual([]);
  });
});
