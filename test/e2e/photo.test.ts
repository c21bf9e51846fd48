/// <reference lib="dom" />
// "Use a photo" on the pad page, in Debian's Chromium against the real Worker: a generated phone photo of
// an MNIST test digit is read right and shown like a drawing; a file that is not a picture gets the API's
// exact error code.
import { describe, expect, it } from 'vitest';
import { readMnistTestDigits } from '../fixtures/mnist-idx.ts';
import { photoBytes } from '../fixtures/photos/photo-bytes.ts';
import { generatePhoto } from '../fixtures/photos/photo-generator.ts';
import { DESKTOP, PHONE } from './browser.ts';
import { useBrowser } from './session.ts';

const browser = useBrowser();

const digits = readMnistTestDigits(20);

describe('use a photo', () => {
  it.each([
    ['desktop', 'ruled-paper', DESKTOP, 11],
    ['phone', 'hand-shadow', PHONE, 12],
  ] as const)(
    'reads a generated photo on %s (%s) and shows the model’s view',
    async (_, condition, viewport, index) => {
      const { page, errors } = await browser.openPage('/', viewport);
      const photo = generatePhoto({
        digit: digits.pixels.subarray(index * 784, (index + 1) * 784),
        condition,
        seed: 7,
      });
      const { bytes, contentType } = photoBytes(photo);
      const input = page.locator('[data-pad]').getByLabel('Use a photo');
      await input.setInputFiles({
        name: `photo.${contentType === 'image/png' ? 'png' : 'jpg'}`,
        mimeType: contentType,
        buffer: Buffer.from(bytes),
      });
      const label = String(digits.labels[index]);
      const status = page.getByRole('status');
      await expect
        .poll(async () => (await status.textContent())?.trim() ?? '')
        .toMatch(new RegExp(`^${label}, `));
      // The model's view was painted from the photo by the same core extraction.
      const viewInk = await page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-pad-model-view]');
        const data = canvas?.getContext('2d')?.getImageData(0, 0, 28, 28).data;
        let ink = 0;
        for (let i = 0; data !== undefined && i < data.length; i += 4) if ((data[i] as number) > 128) ink++;
        return ink;
      });
      expect(viewInk).toBeGreaterThan(40);
      expect(await page.getByRole('alert').isHidden()).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('says exactly why a file that is not a picture cannot be read', async () => {
    const { page } = await browser.openPage('/');
    await page
      .locator('[data-pad]')
      .getByLabel('Use a photo')
      .setInputFiles({
        name: 'notes.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('seven, written in words\n'),
      });
    const alert = page.getByRole('alert');
    await expect.poll(async () => (await alert.textContent()) ?? '').toContain('(image_undecodable)');
    expect(await alert.textContent()).toContain('not a picture the model can read');
    await page.close();
  });
});
