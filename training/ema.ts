/**
 * An exponential moving average of the model's weights (Polyak averaging), updated after every batch.
 * The average of the last few hundred steps usually generalises better than the last step's weights;
 * the run evaluates both on the validation split and keeps whichever validates better.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedWeight } from './encode-weights.ts';

export class WeightAverage {
  private shadow: tf.Tensor[];

  /**
   * `initial` and `steps` restore an average saved in a checkpoint. From step `uniformFrom` on (if given),
   * the average restarts and becomes the plain mean of the weights after every step since: stochastic weight
   * averaging over the end of the schedule.
   */
  constructor(
    private readonly tfjs: typeof tf,
    private readonly model: tf.LayersModel,
    private readonly decay: number,
    initial?: readonly NamedWeight[],
    public steps = 0,
    private readonly uniformFrom = Number.POSITIVE_INFINITY,
  ) {
    this.shadow = initial
      ? model.weights.map((variable) => {
          const saved = initial.find((w) => w.name === variable.originalName);
          if (!saved) throw new Error(`no averaged value for ${variable.originalName}`);
          return tfjs.tensor(saved.values, [...saved.shape]);
        })
      : model.weights.map((variable) => variable.read().clone());
  }

  /** Early on the average warms up faster (decay (1+n)/(10+n)), so it is not dominated by initial weights. */
  update(): void {
    const since = this.steps - this.uniformFrom;
    const decay =
      since >= 0 ? since / (since + 1) : Math.min(this.decay, (1 + this.steps) / (10 + this.steps));
    this.steps++;
    const next = this.tfjs.tidy(() =>
      this.model.weights.map((variable, i) =>
        this.tfjs.add(
          this.tfjs.mul(this.shadow[i] as tf.Tensor, decay),
          this.tfjs.mul(variable.read(), 1 - decay),
        ),
      ),
    );
    this.tfjs.dispose(this.shadow);
    this.shadow = next;
  }

  /** The averaged weights by name, as plain arrays (for checkpoints and export). */
  async weights(): Promise<NamedWeight[]> {
    return Promise.all(
      this.model.weights.map(async (variable, i) => ({
        name: variable.originalName,
        shape: variable.shape as number[],
        values: Float32Array.from(await (this.shadow[i] as tf.Tensor).data()),
      })),
    );
  }

  dispose(): void {
    this.tfjs.dispose(this.shadow);
  }
}
