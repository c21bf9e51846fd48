/// <reference lib="dom" />
// Callbacks passed to page.evaluate run in the browser, so this file sees the DOM types too.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, SMALL_PHONE, screenshot } from './browser.ts';
import { baseUrl, useBrowser } from './session.ts';

const browser = useBrowser();

describe('the model page', () => {
  it('shows what is served: version, figures per precision, per-digit accuracy, confusion matrix, curves', async () => {
    const served = (await (await fetch(`${baseUrl}/api/model`)).json()) as { version: string };
    const page = await browser.open(DESKTOP);
    await page.goto(`${baseUrl}/model`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toMatch(/CNN/);
    expect(await page.locator('[data-stat="version"]').textContent()).toBe(served.version);
    expect(await page.locator('[data-stat="accuracy"]').textContent()).toMatch(/^\d{2}\.\d{2}%$/);
    for (const name of [
      'Accuracy per precision',
      'Accuracy per digit',
      'Training curves',
      'Confusion matrix',
      'Architecture',
    ]) {
      expect(await page.getByRole('heading', { name, level: 2 }).isVisible(), name).toBe(true);
    }
    for (const precision of ['float32', 'float16', 'uint8']) {
      expect(await page.getByRole('rowheader', { name: new RegExp(`^${precision}`) }).count()).toBe(1);
    }
    // Ten rows of ten cells whose counts add up to the 10,000 test digits.
    const total = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.matrix tbody td')).reduce(
        (sum, cell) => sum + Number(cell.textContent || 0),
        0,
      ),
    );
    expect(await page.locator('.matrix tbody tr').count()).toBe(10);
    expect(total).toBe(10_000);
    expect(await page.locator('figure.chart svg').count()).toBe(2);
    // The number reader's segment score, with what it did on numbers of validation digits.
    expect(await page.locator('[data-segment-score]').textContent()).toMatch(
      /read whole from\s+\d+\.\d{2}% to \d+\.\d{2}%/,
    );
    // The page names another version only when the API serves one it was not built with.
    expect(await page.locator('[data-served-now]').isHidden()).toBe(true);
    await screenshot(page, 'model-desktop');
    const dark = await browser.open(DESKTOP, 'dark');
    await dark.goto(`${baseUrl}/model`);
    await screenshot(dark, 'model-desktop-dark');
  });
});

describe('the API docs page', () => {
  it('documents every endpoint with curl examples and links the OpenAPI document', async () => {
    const page = await browser.open(DESKTOP);
    await page.goto(`${baseUrl}/docs`);
    for (const endpoint of [
      'POST /api/predict',
      'POST /api/predict/batch',
      'GET /api/model',
      'GET /api/health',
      'GET /api/openapi.json',
    ]) {
      expect(
        await page.getByRole('heading', { name: endpoint, level: 2, exact: true }).count(),
        endpoint,
      ).toBe(1);
    }
    const examples = await page.locator('pre code').allTextContents();
    for (const form of [
      "content-type: image/png'",
      "-F 'image=@",
      '"pixels"',
      '/api/predict/batch',
      'base64 -w0',
    ]) {
      expect(
        examples.some((example) => example.includes(form)),
        form,
      ).toBe(true);
    }
    const href = await page.getByRole('link', { name: /OpenAPI 3\.1 document/ }).getAttribute('href');
    const spec = (await (await fetch(new URL(href ?? '', baseUrl))).json()) as {
      openapi: string;
      paths: object;
    };
    expect(spec.openapi).toMatch(/^3\.1/);
    // Every documented endpoint exists in the API's own description.
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/predict', '/api/predict/batch', '/api/model', '/api/health']),
    );
    await screenshot(page, 'docs-desktop');
  });

  it('has a pixels example that runs as printed and reads a 1', async () => {
    const page = await browser.open(DESKTOP);
    await page.goto(`${baseUrl}/docs`);
    const examples = await page.locator('pre code').allTextContents();
    const pixels = examples.find((example) => example.startsWith('# 784 values'));
    expect(pixels).toBeDefined();
    const { stdout } = await promisify(execFile)('bash', ['-c', pixels ?? ''], {
      env: { ...process.env, DIGIT_EDGE: baseUrl },
    });
    expect(JSON.parse(stdout)).toMatchObject({ digit: 1 });
  });

  it('answers the documented invalid_pixels code for too few pixels', async () => {
    const page = await browser.open(DESKTOP);
    await page.goto(`${baseUrl}/docs`);
    const codes = await page.locator('table.errors code').allTextContents();
    const response = await fetch(`${baseUrl}/api/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pixels: [1, 2, 3] }),
    });
    const problem = (await response.json()) as { code: string; status: number };
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect([response.status, problem.status, problem.code]).toEqual([400, 400, 'invalid_pixels']);
    expect(codes).toContain('invalid_pixels');
  });
});

describe('the docs page at 375 px', () => {
  it("shows every error's text in full inside its card, no sideways scrolling", async () => {
    const page = await browser.open({ ...PHONE, width: 375 });
    await page.goto(`${baseUrl}/docs`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const table = page.locator('table.errors');
    expect(
      await table.evaluate((element) => (element.parentElement?.clientWidth ?? 0) >= element.scrollWidth),
    ).toBe(true);
    // The text of each error spans most of the phone's width, not a sliver beside the code.
    const widths = await page
      .locator('table.errors tbody td:last-child')
      .evaluateAll((cells) => cells.map((cell) => cell.getBoundingClientRect().width));
    expect(widths.length).toBeGreaterThan(10);
    expect(Math.min(...widths)).toBeGreaterThan(250);
  });
});

describe('the model page at 375 px', () => {
  it('fits without sideways scrolling, the confusion matrix and architecture table inside their cards', async () => {
    const page = await browser.open({ ...PHONE, width: 375 });
    await page.goto(`${baseUrl}/model`);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const overflowing = await page.evaluate(() =>
      Array.from(document.querySelectorAll('table.matrix, section[aria-labelledby="architecture"] table'))
        .filter((table) => (table.parentElement?.clientWidth ?? 0) < table.scrollWidth)
        .map((table) => table.className),
    );
    expect(overflowing).toEqual([]);
  });
});

describe('every page on phones', () => {
  for (const path of ['/', '/model', '/docs']) {
    it(`${path} fits 320 px without sideways scrolling and has a named main navigation`, async () => {
      const page = await browser.open(SMALL_PHONE);
      await page.goto(`${baseUrl}${path}`);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        SMALL_PHONE.width,
      );
      expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(true);
      // Words run into inline code or links ("as for/api/predict") when the build drops a line break's space.
      const runTogether = await page.evaluate(() =>
        Array.from(document.querySelectorAll('main :is(p, li, td) :is(code, a, strong, em)')).flatMap(
          (element) => {
            const before = element.previousSibling?.textContent ?? '';
            const after = element.nextSibling?.textContent ?? '';
            return /[A-Za-z,;]$/.test(before) || /^[A-Za-z(]/.test(after)
              ? [`${before.slice(-20)}[${element.textContent}]${after.slice(0, 20)}`]
              : [];
          },
        ),
      );
      expect(runTogether).toEqual([]);
      // ...or spaces where none belong ("( 1.00%", "94.00% ."), from a line break in the page's source.
      const text = await page.evaluate(() => document.querySelector('main')?.textContent ?? '');
      expect(text.match(/.{0,20}(\( | [.,;:)](?=\s|$)).{0,10}/gm) ?? []).toEqual([]);
      const name = path === '/' ? 'pad' : path.slice(1);
      if (path !== '/') await screenshot(page, `${name}-small-phone`);
      const phone = await browser.open(PHONE, 'dark');
      await phone.goto(`${baseUrl}${path}`);
      await screenshot(phone, `${name}-phone-dark`);
    });
  }

  it('/model still fits 320 px once corrections fill its live table', async () => {
    const { version } = (await (await fetch(`${baseUrl}/api/model`)).json()) as { version: string };
    // Three different confusions make the widest "most confused" cell.
    for (const [label, predicted] of [
      [6, 0],
      [4, 9],
      [7, 1],
    ] as const) {
      const pixels = Array.from({ length: 784 }, (_, i) => (i % 28 === 14 || i === 100 + label ? 1 : 0));
      const response = await fetch(`${baseUrl}/api/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pixels, label, predicted, modelVersion: version, source: 'api' }),
      });
      expect([200, 201]).toContain(response.status); // 200 when an earlier run stored the same one
    }
    const page = await browser.open(SMALL_PHONE);
    await page.goto(`${baseUrl}/model`);
    await expect.poll(() => page.locator('[data-live-table]').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      SMALL_PHONE.width,
    );
  });
});

describe('the security headers', () => {
  const pages = ['/', '/model', '/docs'];

  it('are on every page, its scripts and styles, and the API, with the camera allowed on the pad only', async () => {
    const page = await browser.open(DESKTOP);
    const assets = new Set<string>();
    page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/_astro/')) assets.add(response.url());
    });
    for (const path of pages) await page.goto(`${baseUrl}${path}`);
    expect(assets.size).toBeGreaterThan(0);
    for (const url of [
      ...pages.map((path) => `${baseUrl}${path}`),
      ...assets,
      `${baseUrl}/api/health/live`,
    ]) {
      const response = await fetch(url);
      await response.arrayBuffer();
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp, url).toMatch(/script-src 'self'(;|$)/);
      expect(csp, url).toMatch(/connect-src 'self'(;|$)/);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(response.headers.get('referrer-policy'), url).toBeTruthy();
      const camera = new URL(url).pathname === '/' ? 'camera=(self)' : 'camera=()';
      expect(response.headers.get('permissions-policy'), url).toContain(camera);
    }
  });

  it('block nothing the pages use: no policy violation or console error on any page', async () => {
    for (const path of pages) {
      const page = await browser.open(DESKTOP);
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(message.text());
      });
      page.on('pageerror', (error) => problems.push(error.message));
      await page.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (event) =>
          console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`),
        );
      });
      await page.goto(`${baseUrl}${path}`);
      await page.waitForLoadState('networkidle');
      expect(problems, path).toEqual([]);
    }
  });
});
