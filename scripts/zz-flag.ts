// Scratch: how well do number-level scores separate right readings from wrong ones?
import '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { readCommittedModel } from '../bench/lib/committed-model.ts';
import { digitScore, interpretPrediction } from '../core/confidence.ts';
import { extractInk, NUMBER_WORKING_SIZE } from '../core/extract-ink.ts';
import { planNumber, readPlan, segmentFeatures } from '../core/segment-number.ts';
import { readMnistTestDigits } from '../test/fixtures/mnist-idx.ts';
import {
  DEFAULT_NUMBER_OPTIONS,
  NUMBER_RENDERERS,
  numberPhoto,
  writeNumber,
} from '../test/fixtures/numbers/generate-numbers.ts';
import { createRandom } from '../training/random.ts';
import { createFusedModel } from '../worker/model/fused-model.ts';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '300' },
    first: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    digits: { type: 'string', default: '9000' },
    style: { type: 'string', default: 'canvas' },
    touching: { type: 'string' },
  },
});
await tf.setBackend('cpu');
const committed = await readCommittedModel();
const model = createFusedModel(committed.weights);
const m = committed.manifest;
const calibration = m.calibration;
const detector = m.digitDetector as any;
const scorer = m.segmentScorer as any;
const mnist = readMnistTestDigits(10_000);
const options = {
  ...DEFAULT_NUMBER_OPTIONS,
  firstDigit: Number(values.first),
  digitCount: Number(values.digits),
  touchingShare: Number(values.touching ?? DEFAULT_NUMBER_OPTIONS.touchingShare),
};
const rows: { right: boolean; s: Record<string, number> }[] = [];
for (let i = 0; i < Number(values.count); i++) {
  const written = writeNumber(mnist, Number(values.seed), 20_000 + i, options);
  const picture =
    values.style === 'photo'
      ? numberPhoto(written, i, 'tuning').image
      : NUMBER_RENDERERS.canvas(written, createRandom(i));
  const map = extractInk(picture, NUMBER_WORKING_SIZE);
  if (!map) {
    rows.push({ right: false, s: {} });
    continue;
  }
  try {
    const plan = planNumber(map);
    const outputs = model.outputs(plan.inputs, plan.candidates.length);
    const reading = readPlan(plan, outputs, scorer);
    const b = { ...outputs, pixels: plan.inputs };
    const preds = reading.digits.map((d) => interpretPrediction(b, d.candidate, calibration, detector));
    const segs = reading.digits.map(
      (d) => 1 / (1 + Math.exp(-digitScore(scorer, segmentFeatures(plan, d.candidate, outputs)))),
    );
    const numConf = preds.reduce((p, d) => p * d.confidence, 1);
    const segProd = segs.reduce((p, s) => p * s, 1);
    rows.push({
      right: reading.text === written.text,
      s: {
        numConf,
        minConf: Math.min(...preds.map((p) => p.confidence)),
        minSeg: Math.min(...segs),
        segProd,
        conf_x_seg: numConf * segProd,
        conf_x_sqrtseg: numConf * Math.sqrt(segProd),
        flags: preds.some((p) => p.uncertain || p.isDigit === false) ? 0 : 1,
      },
    });
  } catch {
    rows.push({ right: false, s: {} });
  }
}
const right = rows.filter((r) => r.right),
  wrong = rows.filter((r) => !r.right);
console.log(`${values.style} seed ${values.seed}: ${right.length} right, ${wrong.length} wrong`);
for (const key of Object.keys(right[0]!.s)) {
  const rs = right.map((r) => r.s[key]!).sort((a, b) => a - b);
  const out = [0.02, 0.05, 0.1].map((share) => {
    const t = rs[Math.floor(share * rs.length)]!;
    const caught = wrong.filter((w) => !(w.s[key]! >= t)).length;
    return `${share * 100}%→${caught}/${wrong.length}`;
  });
  const flaggedRight = right.filter((r) => r.s.flags === 0).length,
    flaggedWrong = wrong.filter((r) => r.s.flags !== 1).length;
  console.log(
    key.padEnd(14),
    out.join('  '),
    key === 'flags' ? `(digit flags: right ${flaggedRight}, wrong ${flaggedWrong})` : '',
  );
}
console.log(
  'wrong:',
  wrong.map((w) => `${(w.s.numConf ?? 0).toFixed(2)}/${(w.s.minSeg ?? 0).toFixed(2)}`).join(' '),
);

import { writeFileSync } from 'node:fs';

writeFileSync(`/tmp/rows-${values.style}-${values.seed}-${values.first}.json`, JSON.stringify(rows));
