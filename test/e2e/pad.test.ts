/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser, so this file sees the DOM types too.
import type { Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, penStroke, SMALL_PHONE, screenshot } from './browser.ts';
import { ONE, openPad, SEVEN, useBrowser, ZERO } from './session.ts';

const browser = useBrowser();

/** Ink pixels on a canvas (alpha or brightness above zero), read inside the page. */
function inkPixels(page: Page, selector: string): Promise<number> {
  return page.evaluate((query) => {
    const canvas = document.querySelector<HTMLCanvasElement>(query);
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return -1;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4)
      if ((data[i + 3] as number) > 0 && (data[i] as number) > 128) count++;
    return count;
  }, selector);
}

function padInk(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-pad-canvas]');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return -1;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let count = 0;
    for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) count++;
    return count;
  });
}

describe('drawing pad with a mouse (desktop)', () => {
  it('shows a hint, not a prediction, while the pad is empty', async () => {
    const { page, status, errors } = await openPad(browser, DESKTOP);
    await expect.poll(() => status.textContent()).toMatch(/^Draw a digit/);
    expect(await page.getByText('Draw a digit here').isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Clear' }).isDisabled()).toBe(true);
    expect(await padInk(page)).toBe(0);
    await screenshot(page, 'pad-desktop-empty');
    expect(errors).toEqual([]);
  });

  it('reads a 1, a 7 and a 0 drawn with the mouse, with bars and the model’s view', async () => {
    const { page, draw, answer, status, errors } = await openPad(browser, DESKTOP);
    for (const [digit, strokes] of [
      ['1', ONE],
      ['7', SEVEN],
      ['0', ZERO],
    ] as const) {
      await page.keyboard.press('Escape');
      await expect.poll(() => status.textContent()).toMatch(/^Draw a digit/);
      await draw(strokes);
      await answer(digit);
      // The top bar is the answer; the model's-eye view shows the 28×28 input it was given.
      expect(await page.locator('[data-pad-bar][data-top] .bar-label').textContent()).toBe(digit);
      expect(await inkPixels(page, '[data-pad-model-view]')).toBeGreaterThan(10);
      if (digit === '7') await screenshot(page, 'pad-desktop-seven');
    }
    expect(errors).toEqual([]);
  });

  it('undoes the last stroke with Ctrl+Z and the Undo button, and clears with Escape and the Clear button', async () => {
    const { page, draw, answer, status } = await openPad(browser, DESKTOP);
    await draw(ONE);
    await answer('1');
    const oneStroke = await padInk(page);
    // A bar across the top turns the 1 into something else (a 7, most likely).
    await draw([
      [
        [0.25, 0.2],
        [0.5, 0.2],
      ],
    ]);
    await expect.poll(() => padInk(page)).toBeGreaterThan(oneStroke);
    await page.keyboard.press('Control+z');
    await expect.poll(() => padInk(page)).toBe(oneStroke);
    await answer('1');

    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Draw a digit/);
    expect(await padInk(page)).toBe(0);
    expect(await page.getByRole('button', { name: 'Undo' }).isDisabled()).toBe(true);

    await draw(SEVEN);
    await answer('7');
    await page.keyboard.press('Escape');
    await expect.poll(() => status.textContent()).toMatch(/^Draw a digit/);
    expect(await padInk(page)).toBe(0);
    expect(await page.getByText('Draw a digit here').isVisible()).toBe(true);

    await draw(ZERO);
    await answer('0');
    await page.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => status.textContent()).toMatch(/^Draw a digit/);
    expect(await padInk(page)).toBe(0);
  });

  it('never lets a slower, older answer overwrite a newer one', async () => {
    const { page, draw, answer, status } = await openPad(browser, DESKTOP);
    let delayed: Promise<void> | undefined;
    // The first prediction is held back and answered "3" only after the next one has been shown.
    await page.route('**/api/predict', async (route: Route) => {
      if (delayed !== undefined) return route.continue();
      delayed = (async () => {
        await new Promise((done) => setTimeout(done, 1500));
        const probabilities = [0, 0, 0, 1, 0, 0, 0, 0, 0, 0];
        await route.fulfill({
          contentType: 'application/json',
          body: JSON.stringify({ digit: 3, confidence: 1, probabilities, model: { version: 'stale' } }),
        });
      })();
    });
    await draw([
      [
        [0.5, 0.2],
        [0.5, 0.45],
      ],
    ]);
    await draw([
      [
        [0.5, 0.45],
        [0.5, 0.8],
      ],
    ]);
    await answer('1');
    await delayed;
    await page.waitForFunction(
      () => document.querySelector('[data-pad-result]')?.getAttribute('aria-busy') === null,
    );
    expect((await status.textContent())?.trim()).toMatch(/^1,/);
  });

  it('says plainly when the API is unreachable or failing, and recovers by itself', async () => {
    const { page, draw, answer, notice, errors } = await openPad(browser, DESKTOP);
    await page.route('**/api/predict', (route) => route.abort('connectionrefused'));
    await draw(SEVEN);
    await expect.poll(() => notice.textContent()).toMatch(/Can’t reach the model/);
    expect(await notice.isVisible()).toBe(true);
    await screenshot(page, 'pad-desktop-unreachable');

    await page.unroute('**/api/predict');
    await answer('7');
    await expect.poll(() => notice.isVisible()).toBe(false);

    // A failing server (503 problem) reads differently, and also recovers.
    await page.route('**/api/predict', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/problem+json',
        headers: { 'retry-after': '1' },
        body: JSON.stringify({
          type: 'about:blank',
          title: 'No model',
          status: 503,
          detail: 'down',
          code: 'model_unavailable',
        }),
      }),
    );
    await page.keyboard.press('Escape');
    await draw(ONE);
    await expect.poll(() => notice.textContent()).toMatch(/Trying again/);
    await page.unroute('**/api/predict');
    await answer('1');
    await expect.poll(() => notice.isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('reads a 7 drawn with a pen', async () => {
    const { page, pad, answer } = await openPad(browser, DESKTOP);
    for (const stroke of SEVEN) await penStroke(page, pad, stroke);
    await answer('7');
  });

  it('looks right in the dark colour scheme', async () => {
    const { page, draw, answer } = await openPad(browser, DESKTOP, 'dark');
    await draw(ZERO);
    await answer('0');
    await screenshot(page, 'pad-desktop-dark');
  });
});

describe('drawing pad with a finger (phones)', () => {
  it('reads a 1 and a 7 drawn with touch, without scrolling the page', async () => {
    const { page, draw, answer, status, errors } = await openPad(browser, PHONE);
    await screenshot(page, 'pad-phone-empty');
    // The backing store has a device pixel per canvas pixel (3× here), so strokes stay sharp.
    const sizes = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-pad-canvas]');
      return { backing: canvas?.width, css: canvas?.clientWidth };
    });
    expect(sizes.backing).toBe(Math.round((sizes.css ?? 0) * PHONE.deviceScaleFactor));
    const scrollBefore = await page.evaluate(() => window.scrollY);
    await draw(ONE);
    await answer('1');
    // A vertical swipe on the pad draws; it must not scroll the page (touch-action: none).
    expect(await page.evaluate(() => window.scrollY)).toBe(scrollBefore);

    await page.getByRole('button', { name: 'Clear' }).tap();
    await expect.poll(() => status.textContent()).toMatch(/^Draw a digit/);
    await draw(SEVEN);
    await answer('7');
    await screenshot(page, 'pad-phone-seven');
    expect(errors).toEqual([]);
  });

  it('fits a 320 px wide phone without sideways scrolling', async () => {
    const { page, draw, answer } = await openPad(browser, SMALL_PHONE, 'dark');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const box = await page.getByRole('img', { name: 'Drawing pad' }).boundingBox();
    expect(box?.width).toBeGreaterThan(250);
    await draw(ZERO);
    await answer('0');
    // The answer sits right under the pad: both on the first screen.
    const digit = await page.locator('[data-pad-digit]').boundingBox();
    expect((digit?.y ?? Number.POSITIVE_INFINITY) + (digit?.height ?? 0)).toBeLessThanOrEqual(
      SMALL_PHONE.height,
    );
    await screenshot(page, 'pad-small-phone-zero');
  });
});
