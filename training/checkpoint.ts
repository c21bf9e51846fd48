/**
 * Per-epoch checkpoints so `--resume` can continue an interrupted run: model weights, Adam's state, the best
 * weights so far and the history. Written to a temporary folder, then renamed: a crash never leaves half.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EpochRecord } from '../core/manifest.ts';
import type { NamedWeight } from './encode-weights.ts';

interface CheckpointState {
  readonly settingsKey: string;
  readonly epochsDone: number;
  readonly history: EpochRecord[];
  readonly bestEpoch: number;
  readonly bestValLoss: number;
  /** Whether the best weights are the moving average ('ema') or the step's own ('raw'). */
  readonly bestSource?: 'ema' | 'raw';
  /** What `bestValLoss` measures (absent: the raw validation NLL of older checkpoints). */
  readonly selection?: string;
  readonly seconds: number;
  /** Adam's β₁ᵗ and β₂ᵗ exactly as they were (see train.ts). */
  readonly adamPowers?: readonly number[];
  /** Steps the weight average has seen (its warm-up depends on it). */
  readonly averageSteps?: number;
}

export interface Checkpoint {
  readonly state: CheckpointState;
  readonly weights: NamedWeight[];
  readonly bestWeights: NamedWeight[];
  /** The moving average of the weights, when the run keeps one. */
  readonly averageWeights?: NamedWeight[];
  readonly optimizerWeights: NamedWeight[];
}

async function writeWeights(directory: string, name: string, weights: readonly NamedWeight[]) {
  const specs = weights.map(({ name: weightName, shape }) => ({ name: weightName, shape }));
  const total = weights.reduce((sum, w) => sum + w.values.length, 0);
  const data = new Float32Array(total);
  let offset = 0;
  for (const weight of weights) {
    data.set(weight.values, offset);
    offset += weight.values.length;
  }
  await writeFile(join(directory, `${name}.json`), JSON.stringify(specs));
  await writeFile(join(directory, `${name}.bin`), new Uint8Array(data.buffer));
}

async function readWeights(directory: string, name: string): Promise<NamedWeight[]> {
  const specs = JSON.parse(await readFile(join(directory, `${name}.json`), 'utf8')) as {
    name: string;
    shape: number[];
  }[];
  const bytes = await readFile(join(directory, `${name}.bin`));
  const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  return specs.map((spec) => {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const values = data.slice(offset, offset + count);
    offset += count;
    return { ...spec, values };
  });
}

export async function saveCheckpoint(directory: string, checkpoint: Checkpoint): Promise<void> {
  const staging = `${directory}.saving`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await writeFile(join(staging, 'state.json'), JSON.stringify(checkpoint.state, null, 2));
  await writeWeights(staging, 'weights', checkpoint.weights);
  await writeWeights(staging, 'best', checkpoint.bestWeights);
  await writeWeights(staging, 'optimizer', checkpoint.optimizerWeights);
  if (checkpoint.averageWeights) await writeWeights(staging, 'average', checkpoint.averageWeights);
  await rm(directory, { recursive: true, force: true });
  await rename(staging, directory);
}

export async function loadCheckpoint(directory: string): Promise<Checkpoint | undefined> {
  const stateText = await readFile(join(directory, 'state.json'), 'utf8').catch(() => undefined);
  if (stateText === undefined) return undefined;
  const state = JSON.parse(stateText) as CheckpointState;
  return {
    state,
    weights: await readWeights(directory, 'weights'),
    bestWeights: await readWeights(directory, 'best'),
    optimizerWeights: await readWeights(directory, 'optimizer'),
    ...(state.averageSteps === undefined ? {} : { averageWeights: await readWeights(directory, 'average') }),
  };
}
