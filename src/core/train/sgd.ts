/**
 * Stochastic gradient descent with momentum (optionally Nesterov's) and L2 weight decay, with the
 * update of PyTorch's `torch.optim.SGD` (dampening 0), the optimiser of the usual CIFAR-10 recipes
 * (e.g. Wong, Rice & Kolter 2020: momentum 0.9, weight decay 5e-4):
 *
 *   g = grad + weightDecay * w        (only for the weights chosen to decay)
 *   b = momentum * b + g              (b starts at 0, so the first b is g, as in PyTorch)
 *   w = w - lr * (nesterov ? g + momentum * b : b)
 *
 * TensorFlow.js's own momentum optimiser has no weight decay and fixes its learning rate as a tensor
 * at construction; this one takes the learning rate per step (the one-cycle schedule) and keeps its
 * momentum buffers where a run's saved state can read and restore them.
 */
import * as tf from '@tensorflow/tfjs';

export interface SgdOptions {
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
}

export class Sgd {
  private readonly buffers: tf.Variable[];

  /** `decay[i]` says whether `vars[i]` takes weight decay. */
  constructor(
    readonly vars: tf.Variable[],
    private readonly decay: boolean[],
    private readonly opts: SgdOptions,
  ) {
    if (decay.length !== vars.length) throw new Error('Sgd: one decay flag per variable');
    // inside tidy, so that the zeros the variables start from do not outlive them
    this.buffers = vars.map((v) => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
  }

  /** One update with gradients `grads[i]` of `vars[i]` (the caller keeps and disposes them). */
  step(grads: tf.Tensor[], learningRate: number): void {
    const { momentum, nesterov, weightDecay } = this.opts;
    tf.tidy(() => {
      this.vars.forEach((w, i) => {
        const g = this.decay[i] && weightDecay > 0 ? tf.add(grads[i], tf.mul(w, weightDecay)) : grads[i];
        const b = tf.add(tf.mul(this.buffers[i], momentum), g);
        this.buffers[i].assign(b);
        const d = nesterov ? tf.add(g, tf.mul(b, momentum)) : b;
        w.assign(tf.sub(w, tf.mul(d, learningRate)));
      });
    });
  }

  /** The momentum buffers, in variable order. */
  async state(): Promise<Float32Array[]> {
    return Promise.all(this.buffers.map(async (b) => new Float32Array(await b.data())));
  }

  setState(values: Float32Array[]): void {
    if (values.length !== this.buffers.length || values.some((v, i) => v.length !== this.buffers[i].size))
      throw new Error('the saved optimizer state does not fit this model');
    tf.tidy(() => this.buffers.forEach((b, i) => b.assign(tf.tensor(values[i], b.shape))));
  }

  dispose(): void {
    tf.dispose(this.buffers);
  }
}
