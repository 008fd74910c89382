/**
 * What the server sees: a client's gradient on a batch, after the client's defence.
 *
 * - Batch size: the gradient is the mean of the batch's per-example gradients (the authors' loss is a
 *   batch mean); a larger batch mixes more images into one vector.
 * - Gradient pruning (Zhu et al. 2019, section 5, their defence): the entries of smallest magnitude,
 *   a fraction p of each parameter tensor, set to 0. (The paper prunes "gradients with small
 *   magnitudes"; per tensor here, as deep gradient compression does, so a layer of small gradients is
 *   not wiped out whole.)
 * - Gaussian noise: N(0, s^2) added to every entry (the paper's "Gaussian noise", whose scale it gives
 *   as a variance 1e-4 .. 1e-1; s here is the standard deviation).
 * - Clipping + noise (DP-SGD's release for one step, Abadi et al. 2016): each example's gradient
 *   clipped to L2 norm C over all parameters, the clipped ones averaged, then the noise (s is the
 *   standard deviation added to the average; DP-SGD's sigma*C/B).
 * Secure aggregation is section 4's: the server then sees only a sum over clients.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../../core/random';
import { tidyValue } from './attack';
import { parameterGradients, type LeakNet } from './net';

export interface Defence {
  /** Fraction of each tensor's entries of smallest magnitude set to 0 (0 = none). */
  prune: number;
  /** Standard deviation of the Gaussian noise added to every entry (0 = none). */
  noise: number;
  /** Per-example L2 clipping norm (0 = none). */
  clip: number;
}

export const NO_DEFENCE: Defence = { prune: 0, noise: 0, clip: 0 };

/** Zeroes the fraction p of a vector's entries of smallest magnitude (ties: lower index first). */
export function prune(values: Float32Array, p: number): Float32Array {
  const out = Float32Array.from(values);
  const k = Math.floor(p * values.length);
  if (k <= 0) return out;
  const order = Array.from(values.keys()).sort((a, b) => Math.abs(values[a]) - Math.abs(values[b]) || a - b);
  for (let i = 0; i < k; i++) out[order[i]] = 0;
  return out;
}

/** Standard normal draws from the lab's seeded generator (Box-Muller). */
export function gaussian(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = 1 - rng.next();
    const v = rng.next();
    const r = Math.sqrt(-2 * Math.log(u));
    out[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) out[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return out;
}

/**
 * The gradient the server receives for images x [B, h, w, c] (in [0, 1]) with integer labels, as
 * kept tensors (the caller disposes them).
 */
export function sharedGradient(net: LeakNet, x: tf.Tensor4D, labels: readonly number[], defence: Defence, seed: number): tf.Tensor[] {
  const { prune: p, noise, clip } = defence;
  if (!(p >= 0 && p < 1)) throw new Error(`prune ${p}: a fraction in [0, 1)`);
  if (!(noise >= 0)) throw new Error(`noise ${noise}: a standard deviation >= 0`);
  if (!(clip >= 0)) throw new Error(`clip ${clip}: a norm >= 0 (0: no clipping)`);
  const b = x.shape[0];
  const onehot = () => tf.oneHot(tf.tensor1d(labels as number[], 'int32'), net.numClasses).toFloat() as tf.Tensor2D;
  let grads: Float32Array[];
  if (clip > 0) {
    // per-example gradients, each clipped to norm C, then averaged
    const sums = net.params.map((w) => new Float32Array(w.size));
    for (let i = 0; i < b; i++) {
      const g = tidyValue(() =>
        parameterGradients(net, tf.slice(x, i, 1), tf.slice(onehot(), i, 1)).map((t) => t.dataSync() as Float32Array),
      );
      const norm = Math.sqrt(g.reduce((a, t) => a + t.reduce((s, v) => s + v * v, 0), 0));
      const scale = Math.min(1, clip / Math.max(norm, 1e-12));
      g.forEach((t, k) => t.forEach((v, j) => (sums[k][j] += (v * scale) / b)));
    }
    grads = sums;
  } else grads = tidyValue(() => parameterGradients(net, x, onehot()).map((t) => t.dataSync() as Float32Array));
  if (p > 0) grads = grads.map((g) => prune(g, p));
  if (noise > 0) {
    const rng = new Rng(seed);
    grads = grads.map((g) => {
      const z = gaussian(rng, g.length);
      return g.map((v, j) => v + noise * z[j]);
    });
  }
  return grads.map((g, k) => tf.tensor(g, net.params[k].shape));
}
