import { isLightInk, workingGrey, relativeInk } from '../../core/extract-ink.ts';
const inBar = (x: number, y: number): boolean => x >= 144 && x < 156 && y >= 60 && y < 200;
const width = 300, height = 260;
const data = new Uint8ClampedArray(width * height * 4);
for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
  const light = (1 - 0.35 * (x / 300)) * (1 - 0.4 * ((x - 150) ** 2 + (y - 130) ** 2) / 150 ** 2);
  const shadow = y > 120 ? 0.5 : 1;
  data.fill((inBar(x, y) ? 40 : 230) * light * shadow, 4 * (y * width + x), 4 * (y * width + x) + 3); data[4 * (y * width + x) + 3] = 255;
}
const g = workingGrey({ width, height, data });
console.log('light?', isLightInk(g.grey, g.width, g.height));
const ink = relativeInk(g.grey, g.width, g.height, false)!;
const rows = [10, 100, 118, 119, 120, 121, 122, 125, 130, 250];
for (const y of rows) console.log(y, [5, 50, 100, 140, 150, 200, 295].map((x) => ink[y * width + x]!.toFixed(2)).join(' '));
