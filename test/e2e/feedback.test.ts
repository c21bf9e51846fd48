/// <reference lib="dom" />
/**
 * The pad's "Right?" question in Chromium against the real local Worker and D1: ✓ stores the model's own
 * digit, ✗ then a digit stores the correction, nothing is sent without an answer, and the question stays
 * hidden where feedback is off.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  type BrowserSession,
  DESKTOP,
  launchBrowser,
  mouseStroke,
  type PadPoint,
  screenshot,
} from './browser.ts';

const baseUrl = inject('baseUrl');
let browser: BrowserSession;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

const ONE: PadPoint[][] = [
  [
    [0.5, 0.2],
    [0.5, 0.8],
  ],
];
const SEVEN: PadPoint[][] = [
  [
    [0.3, 0.22],
    [0.7, 0.22],
    [0.45, 0.8],
  ],
];

interface Stats {
  versions: {
    version: string;
    received: number;
    saidRight: number;
    confusedPairs: { label: number; predicted: number }[];
  }[];
}

async function stats(): Promise<Stats['versions']> {
  const response = await fetch(`${baseUrl}/api/feedback/stats`);
  expect(response.status).toBe(200);
  return ((await response.json()) as Stats).versions;
}

const totalReceived = async () => (await stats()).reduce((sum, entry) => sum + entry.received, 0);

async function openPad() {
  const page = await browser.open(DESKTOP, 'light');
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/feedback'))
      posts.push(request.postData() ?? '');
  });
  await page.goto(`${baseUrl}/`);
  const pad = page.getByRole('img', { name: 'Drawing pad' });
  const draw = async (strokes: PadPoint[][]) => {
    for (const stroke of strokes) await mouseStroke(page, pad, stroke);
  };
  const answer = async (digit: string) => {
    await expect
      .poll(async () => (await page.getByRole('status').textContent())?.trim() ?? '')
      .toMatch(new RegExp(`^${digit}, `));
  };
  return { page, draw, answer, errors, posts };
}

describe('the pad asks whether the prediction was right', () => {
  it('stores ✓ as the model’s own digit and ✗ + a digit as a correction, and nothing unasked', async () => {
    const { page, draw, answer, errors, posts } = await openPad();
    const feedback = page.locator('[data-feedback]');
    // Nothing to ask about on an empty pad.
    expect(await feedback.isVisible()).toBe(false);
    const before = await totalReceived();

    await draw(ONE);
    await answer('1');
    await expect.poll(() => page.getByText('Is 1 right?').isVisible()).toBe(true);
    expect(await feedback.textContent()).toMatch(/28×28 image.*No IP address/s);
    // Shown, not answered: nothing sent.
    await page.waitForTimeout(300);
    expect(posts).toEqual([]);

    await page.getByRole('button', { name: 'Yes, right' }).click();
    await expect.poll(() => feedback.getAttribute('data-feedback-state')).toBe('thanks');
    expect(posts).toHaveLength(1);
    expect(JSON.parse(posts[0] as string)).toMatchObject({ label: 1, predicted: 1, source: 'pad' });

    await page.keyboard.press('Escape');
    await expect.poll(() => feedback.isVisible()).toBe(false);
    await draw(SEVEN);
    await answer('7');
    await page.getByRole('button', { name: 'No, wrong' }).click();
    await expect.poll(() => page.getByText('Which digit was it?').isVisible()).toBe(true);
    // The model's own answer is not offered as the correction.
    expect(await page.getByRole('button', { name: '7', exact: true }).isDisabled()).toBe(true);
    await screenshot(page, 'pad-feedback-choose');
    await page.getByRole('button', { name: '4', exact: true }).click();
    await expect.poll(() => page.getByText('Thanks: noted as 4.').isVisible()).toBe(true);
    expect(JSON.parse(posts[1] as string)).toMatchObject({ label: 4, predicted: 7, source: 'pad' });

    await expect.poll(totalReceived).toBe(before + 2);
    const version = (JSON.parse(posts[1] as string) as { modelVersion: string }).modelVersion;
    const entry = (await stats()).find((candidate) => candidate.version === version);
    expect(entry?.confusedPairs).toContainEqual(expect.objectContaining({ label: 4, predicted: 7 }));

    // The model page fetches the same figures when it opens.
    await page.goto(`${baseUrl}/model`);
    const live = page.locator('[data-live-feedback]');
    await expect.poll(() => live.getAttribute('data-live-state')).toBe('ready');
    const row = live.locator('tbody tr', { hasText: version });
    expect(await row.textContent()).toMatch(/4 read as 7 \(\d+\)/);
    expect(await live.textContent()).toMatch(/self-reported/i);
    expect(errors).toEqual([]);
  });

  it('hides the question where feedback is switched off', async () => {
    const page = await browser.open(DESKTOP, 'light');
    await page.route('**/api/feedback', (route) =>
      route.fulfill({
        status: 404,
        contentType: 'application/problem+json',
        body: JSON.stringify({
          status: 404,
          code: 'not_found',
          title: 'Not found',
          detail: 'off',
          type: 'x',
        }),
      }),
    );
    await page.goto(`${baseUrl}/`);
    await mouseStroke(page, page.getByRole('img', { name: 'Drawing pad' }), ONE[0] as PadPoint[]);
    await expect
      .poll(async () => (await page.getByRole('status').textContent())?.trim() ?? '')
      .toMatch(/^1, /);
    await expect.poll(() => page.locator('[data-feedback]').getAttribute('data-feedback-state')).toBe('off');
    expect(await page.locator('[data-feedback]').isVisible()).toBe(false);

    await page.route('**/api/feedback/stats', (route) => route.fulfill({ status: 404, body: '{}' }));
    await page.goto(`${baseUrl}/model`);
    const live = page.locator('[data-live-feedback]');
    await expect.poll(() => live.getAttribute('data-live-state')).toBe('off');
    expect(await live.textContent()).toMatch(/switched off/);
  });
});
