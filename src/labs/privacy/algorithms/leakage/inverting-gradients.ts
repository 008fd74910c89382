/**
 * Inverting Gradients (Geiping et al. 2020), as the authors' code (JonasGeiping/invertinggradients,
 * inversefed/reconstruction_algorithms.py, its DEFAULT_CONFIG with signed=True as in their examples)
 * runs it: the input batch (randn) is optimised so that its gradient points the way of the shared
 * one, cost 1 - <g, g*> / (|g| |g*|) over all parameter tensors together, plus a total-variation prior
 * tv * (mean |x[i, j+1] - x[i, j]| + mean |x[i+1, j] - x[i, j]|); Adam (lr 0.1, PyTorch's betas and
 * eps) steps along the SIGN of the gradient, the learning rate divided by 10 at 3/8, 5/8 and 7/8 of
 * the iterations (their MultiStepLR milestones max_it // 2.667, // 1.6, // 1.142), and the image kept
 * in the data's box after every step. The labels are given (their reconstruct(input_gradient, labels));
 * one restart.
 *
 * Differs: images are in [0, 1] with no mean/std normalisation, so the box is [0, 1] and the TV weight
 * acts on [0, 1] pixels (theirs on normalised ones, ~4x larger differences on CIFAR-10).
 */
import * as tf from '@tensorflow/tfjs';
import { randn, report, tidyValue, type LeakOptions, type LeakResult } from './attack';
import { parameterGradients, type LeakNet } from './net';

export interface IgOptions extends LeakOptions {
  /** The true labels of the batch (known to the attacker, as in the authors' examples). */
  labels: readonly number[];
  /** Weight of the total-variation prior (their DEFAULT_CONFIG: 1e-1). */
  tv?: number;
  lr?: number;
}

/** 1 - cosine similarity of two gradients, each taken as one vector over all its tensors. */
export function cosineDistance(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  const dot = tf.addN(a.map((g, i) => tf.sum(tf.mul(g, b[i]))));
  const na = tf.sqrt(tf.addN(a.map((g) => tf.sum(tf.square(g)))));
  const nb = tf.sqrt(tf.addN(b.map((g) => tf.sum(tf.square(g)))));
  return tf.sub(1, tf.div(dot, tf.mul(na, nb))) as tf.Scalar;
}

/** Their anisotropic total variation: mean absolute horizontal plus vertical differences. */
export function totalVariation(x: tf.Tensor4D): tf.Scalar {
  const [n, h, w, c] = x.shape;
  const dx = tf.sub(tf.slice(x, [0, 0, 1, 0], [n, h, w - 1, c]), tf.slice(x, [0, 0, 0, 0], [n, h, w - 1, c]));
  const dy = tf.sub(tf.slice(x, [0, 1, 0, 0], [n, h - 1, w, c]), tf.slice(x, [0, 0, 0, 0], [n, h - 1, w, c]));
  return tf.add(tf.mean(tf.abs(dx)), tf.mean(tf.abs(dy))) as tf.Scalar;
}

export async function invertingGradients(net: LeakNet, shared: readonly tf.Tensor[], options: IgOptions): Promise<LeakResult> {
  const b = options.labels.length;
  const shape: [number, number, number, number] = [b, ...net.inputShape];
  const n = shape.reduce((a, d) => a * d, 1);
  const tv = options.tv ?? 1e-1;
  const lr0 = options.lr ?? 0.1;
  const T = options.iterations;
  const milestones = [Math.floor(T / 2.667), Math.floor(T / 1.6), Math.floor(T / 1.142)];
  const target = tf.tidy(() => tf.oneHot(tf.tensor1d(options.labels as number[], 'int32'), net.numClasses).toFloat() as tf.Tensor2D);
  const x = randn(n, options.seed);
  const m = new Float64Array(n);
  const v = new Float64Array(n);
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  let loss = NaN;
  let step = 0;
  let evaluations = 0;
  let stopped = false;
  const progress = () => ({ step, loss, reconstruction: Float32Array.from(x), labels: [...options.labels] });
  try {
    while (step < T) {
      const { value, grad } = tidyValue(() => {
        const xt = tf.tensor4d(Float32Array.from(x), shape);
        const r = tf.valueAndGrad(
          (xx: tf.Tensor) =>
            tf.add(
              cosineDistance(parameterGradients(net, xx as tf.Tensor4D, target), shared),
              tf.mul(tv, totalVariation(xx as tf.Tensor4D)),
            ) as tf.Scalar,
        )(xt);
        return { value: r.value.dataSync()[0], grad: r.grad.dataSync() };
      });
      evaluations++;
      loss = value;
      const lr = lr0 * 0.1 ** milestones.filter((s) => step >= s).length;
      const t = step + 1;
      for (let i = 0; i < n; i++) {
        const g = Math.sign(grad[i]);
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        const mh = m[i] / (1 - beta1 ** t);
        const vh = v[i] / (1 - beta2 ** t);
        x[i] = Math.min(1, Math.max(0, x[i] - (lr * mh) / (Math.sqrt(vh) + eps)));
      }
      step++;
      if (await report(options, step, step === T, progress)) {
        stopped = true;
        break;
      }
    }
  } finally {
    target.dispose();
  }
  return { reconstruction: Float32Array.from(x), labels: [...options.labels], steps: step, evaluations, loss, stopped };
}
