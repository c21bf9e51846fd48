/**
 * Debian's Chromium driven by playwright-core, plus the input helpers the pad tests share: mouse strokes,
 * touch strokes through the DevTools protocol (real touch events, pointerType "touch"), and screenshots.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT_DIR = new URL('../../test-results/e2e/', import.meta.url).pathname;

export interface Viewport {
  readonly width: number;
  readonly height: number;
  readonly deviceScaleFactor: number;
  readonly touch: boolean;
}

export const DESKTOP: Viewport = { width: 1280, height: 900, deviceScaleFactor: 1, touch: false };
/** A small phone: 320 CSS pixels wide at 2× (an iPhone SE's first generation). */
export const SMALL_PHONE: Viewport = { width: 320, height: 640, deviceScaleFactor: 2, touch: true };
export const PHONE: Viewport = { width: 390, height: 844, deviceScaleFactor: 3, touch: true };

export interface BrowserSession {
  open(viewport: Viewport, colorScheme?: 'light' | 'dark'): Promise<Page>;
  close(): Promise<void>;
}

/**
 * A browser with a fresh profile: playwright's `launch` gives Chromium a new temporary user-data-dir each
 * time and removes it on close.
 */
export async function launchBrowser(): Promise<BrowserSession> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const contexts: BrowserContext[] = [];
  return {
    async open(viewport, colorScheme = 'light') {
      const context = await browser.newContext({
        viewport: { width: viewport.width, height: viewport.height },
        deviceScaleFactor: viewport.deviceScaleFactor,
        hasTouch: viewport.touch,
        isMobile: viewport.touch,
        colorScheme,
        reducedMotion: 'reduce',
      });
      // Generous: the machine is shared and a loaded one answers slowly; tests assert behaviour, not time.
      context.setDefaultTimeout(90_000);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const context of contexts) await context.close();
      await browser.close();
    },
  };
}

/** A point on the pad, in fractions of its side (0..1). */
export type PadPoint = readonly [number, number];

async function toPagePoints(pad: Locator, points: readonly PadPoint[]): Promise<{ x: number; y: number }[]> {
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  if (box === null) throw new Error('the drawing pad is not visible');
  return points.map(([x, y]) => ({ x: box.x + x * box.width, y: box.y + y * box.height }));
}

/** Densifies a polyline so every stroke arrives as many small moves, as from a real hand. */
function densify(points: readonly PadPoint[], step = 0.02): PadPoint[] {
  const result: PadPoint[] = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous !== undefined) {
      const count = Math.max(1, Math.ceil(Math.hypot(point[0] - previous[0], point[1] - previous[1]) / step));
      for (let i = 1; i < count; i++) {
        result.push([
          previous[0] + ((point[0] - previous[0]) * i) / count,
          previous[1] + ((point[1] - previous[1]) * i) / count,
        ]);
      }
    }
    result.push(point);
  });
  return result;
}

/** Draws one stroke with the mouse (left button). */
export async function mouseStroke(page: Page, pad: Locator, points: readonly PadPoint[]): Promise<void> {
  const [first, ...rest] = await toPagePoints(pad, densify(points));
  if (first === undefined) return;
  await page.mouse.move(first.x, first.y);
  await page.mouse.down();
  for (const point of rest) await page.mouse.move(point.x, point.y);
  await page.mouse.up();
}

/** Draws one stroke with a finger: real touch events through the DevTools protocol. */
export async function touchStroke(page: Page, pad: Locator, points: readonly PadPoint[]): Promise<void> {
  const path = await toPagePoints(pad, densify(points));
  const session = await page.context().newCDPSession(page);
  const touch = (point: { x: number; y: number }) => [
    { x: point.x, y: point.y, id: 1, radiusX: 4, radiusY: 4, force: 0.5 },
  ];
  const [first, ...rest] = path;
  if (first === undefined) return;
  await session.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: touch(first) });
  for (const point of rest)
    await session.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: touch(point) });
  await session.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await session.detach();
}

/** Draws one stroke with a pen (stylus): mouse events marked `pointerType: pen` through the DevTools protocol. */
export async function penStroke(page: Page, pad: Locator, points: readonly PadPoint[]): Promise<void> {
  const path = await toPagePoints(pad, densify(points));
  const session = await page.context().newCDPSession(page);
  const send = (type: 'mousePressed' | 'mouseMoved' | 'mouseReleased', point: { x: number; y: number }) =>
    session.send('Input.dispatchMouseEvent', {
      type,
      x: point.x,
      y: point.y,
      button: 'left',
      buttons: type === 'mouseReleased' ? 0 : 1,
      clickCount: type === 'mouseMoved' ? 0 : 1,
      pointerType: 'pen',
      force: 0.6,
    });
  const [first, ...rest] = path;
  if (first === undefined) return;
  await send('mousePressed', first);
  for (const point of rest) await send('mouseMoved', point);
  await send('mouseReleased', rest.at(-1) ?? first);
  await session.detach();
}

/** Points on an ellipse, for drawing a 0. */
export function ellipse(
  centreX: number,
  centreY: number,
  radiusX: number,
  radiusY: number,
  steps = 40,
): PadPoint[] {
  return Array.from({ length: steps + 3 }, (_, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / steps;
    return [centreX + radiusX * Math.cos(angle), centreY + radiusY * Math.sin(angle)] as const;
  });
}

/** Full-page screenshot under test-results/e2e/ (git-ignored), for people to look at. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({
    path: join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}
