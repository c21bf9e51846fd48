/**
 * The reference CNN, described once for everyone as a list of layers: training builds the tfjs layers
 * model from it, the Worker runs it as fused ops and checks the weights it loads against the weight
 * shapes derived from it, the site and `GET /api/model` show the table derived from it.
 *
 * 28×28×1 → conv 64 3×3 ReLU (same) → max-pool 2×2 → dropout .3 → conv 32 3×3 ReLU (same) → max-pool 2×2
 * → dropout .3 → flatten → dense 128 ReLU → dropout .5 → dense 10 softmax.
 */

export const IMAGE_SIZE = 28;
export const PIXEL_COUNT = IMAGE_SIZE * IMAGE_SIZE;
export const CLASS_COUNT = 10;
/** One grey channel, ink = 1. */
export const INPUT_SHAPE: readonly number[] = [IMAGE_SIZE, IMAGE_SIZE, 1];

type Activation = 'relu' | 'softmax';

/** One layer of the model. Convolutions pad `same` with stride 1; poolings are `valid` with stride = size. */
export type LayerSpec =
  | {
      readonly kind: 'conv2d';
      readonly name: string;
      readonly filters: number;
      readonly kernelSize: number;
      readonly activation: Activation;
    }
  | { readonly kind: 'maxPool'; readonly name: string; readonly poolSize: number }
  | { readonly kind: 'dropout'; readonly name: string; readonly rate: number }
  | { readonly kind: 'flatten'; readonly name: string }
  | {
      readonly kind: 'dense';
      readonly name: string;
      readonly units: number;
      readonly activation: Activation;
    };

/** The model, input to output. */
export const LAYERS: readonly LayerSpec[] = [
  { kind: 'conv2d', name: 'conv1', filters: 64, kernelSize: 3, activation: 'relu' },
  { kind: 'maxPool', name: 'pool1', poolSize: 2 },
  { kind: 'dropout', name: 'drop1', rate: 0.3 },
  { kind: 'conv2d', name: 'conv2', filters: 32, kernelSize: 3, activation: 'relu' },
  { kind: 'maxPool', name: 'pool2', poolSize: 2 },
  { kind: 'dropout', name: 'drop2', rate: 0.3 },
  { kind: 'flatten', name: 'flatten' },
  { kind: 'dense', name: 'dense1', units: 128, activation: 'relu' },
  { kind: 'dropout', name: 'drop3', rate: 0.5 },
  { kind: 'dense', name: 'dense2', units: CLASS_COUNT, activation: 'softmax' },
];

export interface WeightSpec {
  /** The name tfjs gives the variable in `model.json`, e.g. `conv1/kernel`. */
  readonly name: string;
  readonly shape: readonly number[];
}

export interface LayerSummary {
  readonly name: string;
  readonly type: string;
  readonly outputShape: readonly number[];
  readonly parameters: number;
  readonly detail: string;
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const TYPE_NAMES: Readonly<Record<LayerSpec['kind'], string>> = {
  conv2d: 'Conv2D',
  maxPool: 'MaxPooling2D',
  dropout: 'Dropout',
  flatten: 'Flatten',
  dense: 'Dense',
};

/** A layer's output shape and weights, given its input shape. */
function walk(layer: LayerSpec, input: readonly number[]): { output: number[]; weights: WeightSpec[] } {
  const [height = 0, width = 0, channels = 0] = input;
  switch (layer.kind) {
    case 'conv2d': {
      const { name, kernelSize: k, filters } = layer;
      return {
        output: [height, width, filters],
        weights: [
          { name: `${name}/kernel`, shape: [k, k, channels, filters] },
          { name: `${name}/bias`, shape: [filters] },
        ],
      };
    }
    case 'maxPool':
      return { output: [height / layer.poolSize, width / layer.poolSize, channels], weights: [] };
    case 'dropout':
      return { output: [...input], weights: [] };
    case 'flatten':
      return { output: [elementCount(input)], weights: [] };
    case 'dense':
      return {
        output: [layer.units],
        weights: [
          { name: `${layer.name}/kernel`, shape: [elementCount(input), layer.units] },
          { name: `${layer.name}/bias`, shape: [layer.units] },
        ],
      };
  }
}

function detailOf(layer: LayerSpec): string {
  switch (layer.kind) {
    case 'conv2d':
      return `${layer.filters} filters ${layer.kernelSize}×${layer.kernelSize}, same, ${layer.activation === 'relu' ? 'ReLU' : layer.activation}`;
    case 'maxPool':
      return `${layer.poolSize}×${layer.poolSize}`;
    case 'dropout':
      return `rate ${layer.rate}`;
    case 'flatten':
      return '';
    case 'dense':
      return `${layer.units} units, ${layer.activation === 'relu' ? 'ReLU' : layer.activation}`;
  }
}

const walked = LAYERS.reduce<{
  shape: readonly number[];
  rows: (LayerSummary & { weights: WeightSpec[] })[];
}>(
  (state, layer) => {
    const { output, weights } = walk(layer, state.shape);
    const parameters = weights.reduce((total, weight) => total + elementCount(weight.shape), 0);
    const row = {
      name: layer.name,
      type: TYPE_NAMES[layer.kind],
      outputShape: output,
      parameters,
      detail: detailOf(layer),
      weights,
    };
    return { shape: output, rows: [...state.rows, row] };
  },
  { shape: INPUT_SHAPE, rows: [] },
);

/** Every weight of the model, in the order tfjs saves them. */
export const WEIGHT_SPECS: readonly WeightSpec[] = walked.rows.flatMap((row) => row.weights);

export type WeightName = string;

export const PARAMETER_COUNT = WEIGHT_SPECS.reduce((total, spec) => total + elementCount(spec.shape), 0);

/** Human-readable architecture, as shown by `GET /api/model` and the site's model page. */
export const ARCHITECTURE: readonly LayerSummary[] = [
  {
    name: 'input',
    type: 'Input',
    outputShape: INPUT_SHAPE,
    parameters: 0,
    detail: '28×28 grayscale, ink = 1',
  },
  ...walked.rows.map(({ weights: _weights, ...summary }) => summary),
];
