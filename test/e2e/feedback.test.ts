/// <reference lib="dom" />
/**
 * The pad's "Right?" question in Chromium against the real local Worker and D1: ✓ stores the model's own
 * digit, ✗ then a digit stores the correction, nothing is sent without an answer, and the question stays
 * hidden where feedback is off. Number mode asks the same per digit, with each digit's own 28×28 image.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, mouseStroke, type PadPoint, screenshot } from './browser.ts';
import { baseUrl, ONE, openNumberMode, openPad, SEVEN, useBrowser } from './session.ts';

const browser = useBrowser();

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

/** Every answer the page POSTs to /api/feedback, as sent. */
function recordFeedbackPosts(page: Page): string[] {
  const posts: string[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && request.url().endsWith('/api/feedback'))
      posts.push(request.postData() ?? '');
  });
  return posts;
}

describe('the pad asks whether the prediction was right', () => {
  it('stores ✓ as the model’s own digit and ✗ + a digit as a correction, and nothing unasked', async () => {
    const { page, draw, answer, errors } = await openPad(browser, DESKTOP);
    const posts = recordFeedbackPosts(page);
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

  it('asks per digit in Number mode and stores a correction with that digit’s own 28×28 image', async () => {
    const { page, writeNumber, reads, errors } = await openNumberMode(browser, DESKTOP);
    const posts = recordFeedbackPosts(page);
    const readings: { digits: { digit: number; pixels?: number[] }[]; model: { version: string } }[] = [];
    page.on('response', async (response) => {
      if (response.url().includes('/api/read')) readings.push(await response.json());
    });
    const section = page.locator('[data-digit-feedback]');
    expect(await section.isVisible()).toBe(false);
    const before = await totalReceived();

    await writeNumber('2025', [0.15, 0.33, 0.51, 0.69]);
    await reads('2025');
    await expect.poll(() => section.isVisible()).toBe(true);
    const questions = section.locator('[data-feedback-question]');
    await expect
      .poll(() => questions.allTextContents())
      .toEqual([
        'Digit 1: is 2 right?',
        'Digit 2: is 0 right?',
        'Digit 3: is 2 right?',
        'Digit 4: is 5 right?',
      ]);
    expect(await section.textContent()).toMatch(/28×28 image the model read for that digit.*No IP address/s);
    // Shown, not answered: nothing sent.
    await page.waitForTimeout(300);
    expect(posts).toEqual([]);

    // ✗ on the 0, then the right digit from the keyboard: focus lands on the first digit offered (0 is the
    // model's own answer, so 1), Tab walks the row, Enter picks 6.
    const second = page.getByRole('group', { name: 'Digit 2: is 0 right?' });
    await second.getByRole('button', { name: 'No, wrong' }).click();
    const row = page.getByRole('group', { name: 'Digit 2 was:' });
    await expect.poll(() => row.isVisible()).toBe(true);
    expect(await row.getByRole('button', { name: '0', exact: true }).isDisabled()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('1');
    for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('6');
    await screenshot(page, 'number-feedback-choose');
    await page.keyboard.press('Enter');
    const prompt = section.locator('[data-feedback]').nth(1);
    await expect.poll(() => prompt.getByText('Thanks: noted as 6.').isVisible()).toBe(true);
    // The keyboard stays on the thanks, not lost to the page.
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-feedback-status'))).toBe(
      true,
    );

    expect(posts).toHaveLength(1);
    const sent = JSON.parse(posts[0] as string) as { pixels: number[]; modelVersion: string };
    expect(sent).toMatchObject({ label: 6, predicted: 0, source: 'pad' });
    // That digit's own image, as the Worker read it, not the whole number.
    const reading = readings.at(-1);
    expect(reading?.digits[1]?.pixels).toHaveLength(784);
    expect(sent.pixels).toEqual(reading?.digits[1]?.pixels);
    expect(sent.modelVersion).toBe(reading?.model.version);
    // The other digits are still only asked.
    expect(await section.locator('[data-feedback-state="asking"]').count()).toBe(3);

    // Stored: one more row, the (6, 0) pair counted, and the same image and label again is a duplicate.
    await expect.poll(totalReceived).toBe(before + 1);
    const entry = (await stats()).find((candidate) => candidate.version === sent.modelVersion);
    expect(entry?.confusedPairs).toContainEqual(expect.objectContaining({ label: 6, predicted: 0 }));
    const again = await fetch(`${baseUrl}/api/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: posts[0] as string,
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });

    // Ids stay unique with one question per digit (labels point at one element each).
    const duplicateIds = await page.evaluate(() => {
      const ids = Array.from(document.querySelectorAll('[id]'), (element) => element.id);
      return ids.filter((id, i) => ids.indexOf(id) !== i);
    });
    expect(duplicateIds).toEqual([]);
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
    const digitFeedback = page.locator('[data-pad] [data-feedback]');
    await expect.poll(() => digitFeedback.getAttribute('data-feedback-state')).toBe('off');
    expect(await digitFeedback.isVisible()).toBe(false);

    // Number mode: read, but no question for any digit.
    await page.getByRole('button', { name: 'Number', exact: true }).click();
    await mouseStroke(page, page.getByRole('img', { name: 'Number pad' }), ONE[0] as PadPoint[]);
    await expect
      .poll(async () => (await page.locator('[data-number-result]').textContent())?.trim() ?? '')
      .toMatch(/^1, /);
    await expect
      .poll(() => page.locator('[data-digit-feedback] [data-feedback]').getAttribute('data-feedback-state'))
      .toBe('off');
    expect(await page.locator('[data-digit-feedback]').isVisible()).toBe(false);

    await page.route('**/api/feedback/stats', (route) => route.fulfill({ status: 404, body: '{}' }));
    await page.goto(`${baseUrl}/model`);
    const live = page.locator('[data-live-feedback]');
    await expect.poll(() => live.getAttribute('data-live-state')).toBe('off');
    expect(await live.textContent()).toMatch(/switched off/);
  });
});
