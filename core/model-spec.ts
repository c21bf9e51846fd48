/**
 * The reference CNN, described once for everyone: training builds it, the Worker runs it as fused ops
 * and checks the weights it loads against these shapes, the site shows it.
 *
 * 28×28×1 → conv 64 3×3 ReLU (same) → max-pool 2×2 → dropout .3 → conv 32 3×3 ReLU (same) → max-pool 2×2
 * → dropout .3 → flatten → dense 128 ReLU → dropout .5 → dense 10 softmax.
 */

export const IMAGE_SIZE = 28;
export const PIXEL_COUNT = IMAGE_SIZE * IMAGE_SIZE;
export const CLASS_COUNT = 10;

export interface WeightSpec {
  /** The name tfjs gives the variable in `model.json`, e.g. `conv1/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
}

/** Every weight of the model, in the order tfjs saves them. */
export const WEIGHT_SPECS: readonly WeightSpec[] = [
  { name: 'conv1/kernel', shape: [3, 3, 1, 64] },
  { name: 'conv1/bias', shape: [64] },
  { name: 'conv2/kernel', shape: [3, 3, 64, 32] },
  { name: 'conv2/bias', shape: [32] },
  { name: 'dense1/kernel', shape: [7 * 7 * 32, 128] },
  { name: 'dense1/bias', shape: [128] },
  { name: 'dense2/kernel', shape: [128, CLASS_COUNT] },
  { name: 'dense2/bias', shape: [CLASS_COUNT] },
];

export type WeightName = (typeof WEIGHT_SPECS)[number]['name'];

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

export const PARAMETER_COUNT = WEIGHT_SPECS.reduce((total, spec) => total + elementCount(spec.shape), 0);

export interface LayerSummary {
  readonly name: string;
  readonly type: string;
  readonly outputShape: readonly number[];
  readonly parameters: number;
  readonly detail: string;
}

/** Human-readable architecture, as shown by `GET /api/model` and the site's model page. */
export const ARCHITECTURE: readonly LayerSummary[] = [
  {
    name: 'input',
    type: 'Input',
    outputShape: [28, 28, 1],
    parameters: 0,
    detail: '28×28 grayscale, ink = 1',
  },
  {
    name: 'conv1',
    type: 'Conv2D',
    outputShape: [28, 28, 64],
    parameters: 640,
    detail: '64 filters 3×3, same, ReLU',
  },
  { name: 'pool1', type: 'MaxPooling2D', outputShape: [14, 14, 64], parameters: 0, detail: '2×2' },
  { name: 'drop1', type: 'Dropout', outputShape: [14, 14, 64], parameters: 0, detail: 'rate 0.3' },
  {
    name: 'conv2',
    type: 'Conv2D',
    outputShape: [14, 14, 32],
    parameters: 18464,
    detail: '32 filters 3×3, same, ReLU',
  },
  { name: 'pool2', type: 'MaxPooling2D', outputShape: [7, 7, 32], parameters: 0, detail: '2×2' },
  { name: 'drop2', type: 'Dropout', outputShape: [7, 7, 32], parameters: 0, detail: 'rate 0.3' },
  { name: 'flatten', type: 'Flatten', outputShape: [1568], parameters: 0, detail: '' },
  { name: 'dense1', type: 'Dense', outputShape: [128], parameters: 200832, detail: '128 units, ReLU' },
  { name: 'drop3', type: 'Dropout', outputShape: [128], parameters: 0, detail: 'rate 0.5' },
  { name: 'dense2', type: 'Dense', outputShape: [10], parameters: 1290, detail: '10 units, softmax' },
];
