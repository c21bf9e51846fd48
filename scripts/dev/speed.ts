import { extractInk, pickDigit } from '../../core/extract-ink.ts';
import { toMnistPixels } from '../../core/preprocess.ts';
import { readMnistTestDigits } from '../../test/fixtures/mnist-idx.ts';
import { generatePhoto } from '../../test/fixtures/photos/photo-generator.ts';
const digits = readMnistTestDigits(10);
const photo = generatePhoto({ digit: digits.pixels.subarray(0, 784), condition: 'ruled-paper', seed: 3 });
console.log(photo.image.width, photo.image.height);
for (let r = 0; r < 3; r++) {
  let t = performance.now(); for (let k = 0; k < 10; k++) toMnistPixels(photo.image); console.log('total', ((performance.now() - t)/10).toFixed(1));
  t = performance.now(); for (let k = 0; k < 10; k++) extractInk(photo.image); console.log('extract', ((performance.now() - t)/10).toFixed(1));
}
