import { describe, expect, it } from 'vitest';
import {
  type DigitDetectorParameters,
  digitScore,
  FEATURE_COUNT,
  scoreParametersProblem,
  signalParametersProblem,
} from '../../core/confidence.ts';
import { createRandom } from '../../training/random.ts';
import {
  fitDetector,
  scoresOf,
  shareBelow,
  shareWithMargin,
  thresholdFlagging,
} from '../../training/signals.ts';

const zeros = (n: number) => Array.from({ length: n }, () => 0);
const ones = (n: number) => Array.from({ length: n }, () => 1);
const features = (first: number, second: number) => {
  const row = new Float64Array(FEATURE_COUNT);
  row[0] = first;
  row[1] = second;
  return row;
};

// Two hidden units: relu(z0) and relu(−z0); the output adds them, so the score is |z0| − 1.
const mlp: DigitDetectorParameters = {
  kind: 'mlp-hidden-energy-ink/1',
  mean: zeros(FEATURE_COUNT),
  scale: [2, ...ones(FEATURE_COUNT - 1)],
  hiddenWeights: [1, ...zeros(FEATURE_COUNT - 1), -1, ...zeros(FEATURE_COUNT - 1)],
  hiddenBias: [0, 0],
  weights: [1, 1],
  bias: -1,
  threshold: 0,
};

describe('the isDigit score', () => {
  it('runs the hidden ReLU layer on standardised features', () => {
    expect(digitScore(mlp, features(6, 0))).toBeCloseTo(2); // |6/2| − 1
    expect(digitScore(mlp, features(-6, 5))).toBeCloseTo(2);
    expect(digitScore(mlp, features(1, 0))).toBeCloseTo(-0.5);
  });

  it('still scores the logistic detectors of older manifests', () => {
    const logistic: DigitDetectorParameters = {
      kind: 'logistic-hidden-energy-ink/1',
      mean: [1, ...zeros(FEATURE_COUNT - 1)],
      scale: ones(FEATURE_COUNT),
      weights: [2, 3, ...zeros(FEATURE_COUNT - 2)],
      bias: 0.5,
      threshold: 0,
    };
    expect(digitScore(logistic, features(2, 1))).toBeCloseTo(0.5 + 2 * 1 + 3 * 1);
    expect(signalParametersProblem(undefined, logistic)).toBeUndefined();
  });

  it('refuses parameters of the wrong shape', () => {
    expect(signalParametersProblem(undefined, mlp)).toBeUndefined();
    expect(signalParametersProblem(undefined, { ...mlp, hiddenWeights: [1, 2, 3] })).toMatch(/hiddenWeights/);
    expect(signalParametersProblem(undefined, { ...mlp, weights: [1] })).toMatch(/weights must be 2/);
    expect(signalParametersProblem(undefined, { ...mlp, hiddenBias: [] })).toMatch(/hiddenBias/);
    expect(signalParametersProblem(undefined, { ...mlp, kind: 'tree/1' } as never)).toMatch(/kind/);
    expect(signalParametersProblem(undefined, { ...mlp, threshold: Number.NaN })).toMatch(/threshold/);
    // The number reader's segment score has the same shape and no threshold.
    const { threshold: _, ...segmentScorer } = mlp;
    expect(scoreParametersProblem('segmentScorer', segmentScorer)).toBeUndefined();
    expect(scoreParametersProblem('segmentScorer', { ...segmentScorer, bias: Number.NaN })).toMatch(
      /^segmentScorer.bias/,
    );
  });
});

describe('fitDetector', () => {
  // Digits near the origin, non-digits on a ring around them: no linear score separates a ring.
  const random = createRandom(3);
  const point = (radius: number) => {
    const angle = 2 * Math.PI * random();
    const r = radius * (0.8 + 0.4 * random());
    return features(r * Math.cos(angle), r * Math.sin(angle));
  };
  const digits = Array.from({ length: 400 }, () => point(0.5));
  const nonDigits = Array.from({ length: 300 }, () => point(3));

  it('learns a boundary a logistic score cannot draw, and is reproducible', () => {
    const shape = { hiddenUnits: 8, epochs: 40, batchSize: 32, learningRate: 0.01, l2: 1e-4 };
    const detector = fitDetector(digits, nonDigits, 1, shape);
    expect(detector.hiddenBias).toHaveLength(8);
    expect(detector.hiddenWeights).toHaveLength(8 * FEATURE_COUNT);
    const threshold = thresholdFlagging(scoresOf(detector, digits));
    expect(shareBelow(scoresOf(detector, digits), threshold)).toBeLessThanOrEqual(0.01);
    expect(shareBelow(scoresOf(detector, nonDigits), threshold)).toBeGreaterThan(0.95);
    expect(fitDetector(digits, nonDigits, 1, shape)).toEqual(detector);
  });
});

describe('shareWithMargin', () => {
  it('leaves room for sampling error, more on smaller splits', () => {
    const onFiveThousand = shareWithMargin(5000);
    expect(onFiveThousand).toBeGreaterThan(0.0075);
    expect(onFiveThousand).toBeLessThan(0.0085);
    // Its upper 95% bound is the target itself.
    expect(onFiveThousand + 1.645 * Math.sqrt((onFiveThousand * (1 - onFiveThousand)) / 5000)).toBeCloseTo(
      0.01,
      5,
    );
    expect(shareWithMargin(600)).toBeLessThan(onFiveThousand);
  });
});
