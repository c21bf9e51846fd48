import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { toMnistPixels } from '../../core/preprocess.ts';
import { useWasmForTraining } from '../../training/backend.ts';
import { loadExportWithTfjs } from '../../test/unit/helpers/load-export.ts';
import { readMnistTestDigits } from '../../test/fixtures/mnist-idx.ts';
import { generatePhoto, PHOTO_CONDITIONS } from '../../test/fixtures/photos/photo-generator.ts';
import { jpegBytes } from '../../test/fixtures/photos/photo-bytes.ts';
await useWasmForTraining();
const model = await loadExportWithTfjs(new URL('../../models/default', import.meta.url).pathname);
const n = Number(process.argv[2] ?? 20);
const only = process.argv[3];
const digits = readMnistTestDigits(1000);
let ms = 0; let calls = 0;
for (const condition of PHOTO_CONDITIONS) {
  if (only && condition !== only) continue;
  if (condition === 'exif-12mp' && !only) continue;
  const inputs: Float32Array[] = []; const labels: number[] = []; const fails: string[] = [];
  for (let k = 0; k < n; k++) {
    const index = k * 7 % 500;
    const photo = generatePhoto({ digit: digits.pixels.subarray(index*784, index*784+784), condition, seed: 1000 + k });
    let image = photo.image;
    if (photo.format === 'jpeg' && photo.image.width * photo.image.height < 2e6) {
      const d = jpeg.decode(jpegBytes(photo.image, photo.quality), { useTArray: true, formatAsRGBA: true });
      image = { width: d.width, height: d.height, data: d.data };
    }
    const t = performance.now();
    const px = toMnistPixels(image);
    ms += performance.now() - t; calls++;
    inputs.push(px ?? new Float32Array(784)); labels.push(digits.labels[index]!);
    if (process.env.DUMP && (process.env.K === undefined || Number(process.env.K) === k)) { const fs = await import('node:fs'); fs.writeFileSync(`/tmp/dump-${condition}-${k}.json`, JSON.stringify({w:image.width,h:image.height})); const { pngBytes } = await import('../../test/fixtures/photos/photo-bytes.ts'); fs.writeFileSync(`/tmp/dump-${condition}-${k}.png`, pngBytes(image)); const v = new Uint8ClampedArray(784*4); for (let i=0;i<784;i++){v.fill(255-255*(px?.[i]??0),4*i,4*i+3);v[4*i+3]=255;} fs.writeFileSync(`/tmp/dump-${condition}-${k}-28.png`, pngBytes({width:28,height:28,data:v})); }
  }
  const batch = new Float32Array(inputs.length * 784); inputs.forEach((p, i) => batch.set(p, i*784));
  const pred = tf.tidy(() => (model.predict(tf.tensor4d(batch, [inputs.length, 28, 28, 1])) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0; pred.forEach((d, i) => { if (d === labels[i]) correct++; else fails.push(`${i}:${labels[i]}→${d}`); });
  console.log(`${condition.padEnd(14)} ${correct}/${n}  ${fails.slice(0,8).join(' ')}`);
}
console.log(`extract avg ${(ms/calls).toFixed(1)} ms`);
