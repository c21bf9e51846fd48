/// <reference lib="dom" />
/**
 * The set-up every browser test file shares: one Chromium per file, pages opened on the local Worker with
 * their uncaught errors collected, the digit pad and Number mode ready to draw on, and the strokes of the
 * digits the tests draw.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import {
  type BrowserSession,
  DESKTOP,
  ellipse,
  launchBrowser,
  mouseStroke,
  type PadPoint,
  touchStroke,
  type Viewport,
} from './browser.ts';

/** Origin of the local Worker (site + API) started by global-setup.ts. */
export const baseUrl = inject('baseUrl');

interface OpenedPage {
  readonly page: Page;
  /** Uncaught errors on the page, to be asserted empty. */
  readonly errors: string[];
}

export interface TestBrowser {
  /** A fresh page, not yet navigated: for tests that intercept requests first. */
  open(viewport?: Viewport, colorScheme?: 'light' | 'dark'): Promise<Page>;
  /** A fresh page at `path` on the local Worker. */
  openPage(path: string, viewport?: Viewport, colorScheme?: 'light' | 'dark'): Promise<OpenedPage>;
}

/** One Chromium for the calling test file: launched before its tests, closed after them. */
export function useBrowser(): TestBrowser {
  let session: BrowserSession | undefined;
  beforeAll(async () => {
    session = await launchBrowser();
  });
  afterAll(async () => {
    await session?.close();
  });
  const open = (viewport: Viewport = DESKTOP, colorScheme: 'light' | 'dark' = 'light') => {
    if (session === undefined) throw new Error('useBrowser(): the browser starts in beforeAll');
    return session.open(viewport, colorScheme);
  };
  return {
    open,
    async openPage(path, viewport, colorScheme) {
      const page = await open(viewport, colorScheme);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${baseUrl}${path}`);
      return { page, errors };
    },
  };
}

/** Digits as strokes in fractions of the square pad, drawn the way people draw them. */
export const ONE: PadPoint[][] = [
  [
    [0.5, 0.2],
    [0.5, 0.8],
  ],
];
export const SEVEN: PadPoint[][] = [
  [
    [0.3, 0.22],
    [0.7, 0.22],
    [0.45, 0.8],
  ],
];
export const ZERO: PadPoint[][] = [ellipse(0.5, 0.5, 0.2, 0.3)];

/** Waits until `read()` starts with `expected` and a percentage (an answer, not a hint); returns it. */
async function waitForAnswer(
  read: () => Promise<string | null>,
  expected: string,
  flagged = false,
): Promise<string> {
  const text = async () => (await read())?.trim() ?? '';
  // An answer with its confidence, or (numbers only) one flagged for a check.
  const answer = flagged ? `(, [<>]?\\d+% |\\? Not sure: check it$)` : ', [<>]?\\d+% ';
  await expect.poll(text).toMatch(new RegExp(`^${expected}${answer}`));
  return text();
}

/** The digit pad at `/`: draw with the viewport's own pointer (finger on touch screens), wait for answers. */
export async function openPad(browser: TestBrowser, viewport: Viewport, colorScheme?: 'light' | 'dark') {
  const { page, errors } = await browser.openPage('/', viewport, colorScheme);
  const pad = page.getByRole('img', { name: 'Drawing pad' });
  const status = page.getByRole('status');
  const notice = page.getByRole('alert');
  const draw = async (strokes: PadPoint[][]) => {
    for (const stroke of strokes) await (viewport.touch ? touchStroke : mouseStroke)(page, pad, stroke);
  };
  /** Waits until the live region's text starts with `digit` (the answer for the current drawing). */
  const answer = (digit: string) => waitForAnswer(() => status.textContent(), digit);
  return { page, pad, status, notice, draw, answer, errors };
}

/** Strokes of one digit in a cell `left`..`left + 0.12` of the 3:1 number pad (x in fractions of its width). */
const numberDigitStrokes: Record<string, (left: number) => PadPoint[][]> = {
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

/** The pad page switched to Number mode: write a number digit by digit, wait for its reading. */
export async function openNumberMode(browser: TestBrowser, viewport: Viewport) {
  const { page, errors } = await browser.openPage('/', viewport);
  await page.getByRole('button', { name: 'Number', exact: true }).click();
  const pad = page.getByRole('img', { name: 'Number pad' });
  const status = page.locator('[data-number-result]');
  const write = async (strokes: PadPoint[][]) => {
    for (const stroke of strokes) await (viewport.touch ? touchStroke : mouseStroke)(page, pad, stroke);
  };
  /** Writes `text` with its digits starting at `lefts` (fractions of the pad's width). */
  const writeNumber = async (text: string, lefts: number[]) => {
    for (const [i, digit] of [...text].entries())
      await write(numberDigitStrokes[digit]?.(lefts[i] ?? 0) ?? []);
  };
  const reads = (text: string) => waitForAnswer(() => status.textContent(), text, true);
  return { page, pad, status, write, writeNumber, reads, errors };
}
