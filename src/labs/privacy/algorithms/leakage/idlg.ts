/**
 * Improved DLG (Zhao et al. 2020, authors' code PatrickZH/Improved-Deep-Leakage-from-Gradients): with
 * one image and a cross-entropy loss, the last dense layer's weight gradient is (p - y) h^T; with
 * non-negative features h (the LeNet's sigmoids) only the true class's row is negative, so the label
 * is the row of smallest sum (their torch.argmin(torch.sum(dW, -1))). Then only the input (randn) is
 * optimised with L-BFGS against the gradient of the cross-entropy with that label, in squared L2
 * distance, as DLG.
 *
 * Differs: the kernel here is [features, classes] (TensorFlow.js), so the sum runs over axis 0.
 * Batch 1 only (the paper's setting: the rule does not hold for a batch mean).
 */
import * as tf from '@tensorflow/tfjs';
import { randn, report, tidyValue, squaredDistance, type LeakOptions, type LeakResult } from './attack';
import { Lbfgs } from './lbfgs';
import { parameterGradients, type LeakNet } from './net';

/** Index of the last dense layer's kernel among the network's parameters. */
export function lastDenseKernel(net: LeakNet): number {
  let p = 0;
  let found = -1;
  for (const l of net.layers)
    if (l.kind === 'conv' || l.kind === 'dense') {
      if (l.kind === 'dense') found = p;
      p += l.weights;
    }
  if (found < 0) throw new Error('iDLG needs a final dense layer');
  return found;
}

/** The label read from the shared gradient (batch 1). */
export function idlgLabel(net: LeakNet, shared: readonly tf.Tensor[]): number {
  return tidyValue(() => tf.argMin(tf.sum(shared[lastDenseKernel(net)], 0)).dataSync()[0]);
}

export async function idlg(
  net: LeakNet,
  shared: readonly tf.Tensor[],
  options: LeakOptions & { maxIterPerStep?: number },
): Promise<LeakResult> {
  const label = idlgLabel(net, shared);
  const shape: [number, number, number, number] = [1, ...net.inputShape];
  const nx = shape.reduce((a, d) => a * d, 1);
  const target = tf.tidy(() => tf.oneHot([label], net.numClasses).toFloat() as tf.Tensor2D);
  const objective = (v: Float64Array) =>
    tidyValue(() => {
      const x = tf.tensor4d(Float32Array.from(v), shape);
      const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) =>
        squaredDistance(parameterGradients(net, xx as tf.Tensor4D, target), shared),
      )(x);
      return { loss: value.dataSync()[0], grad: Float64Array.from(grad.dataSync()) };
    });
  const opt = new Lbfgs(randn(nx, options.seed), objective, { maxIter: options.maxIterPerStep ?? 20, ...options.tolerances });
  let loss = NaN;
  let step = 0;
  let stopped = false;
  const progress = () => ({ step, loss, reconstruction: Float32Array.from(opt.x), labels: [label] });
  try {
    while (step < options.iterations) {
      loss = opt.step();
      step++;
      if (!Number.isFinite(loss)) break;
      if (await report(options, step, step === options.iterations, progress)) {
        stopped = true;
        break;
      }
    }
  } finally {
    target.dispose();
  }
  return { reconstruction: Float32Array.from(opt.x), labels: [label], steps: step, evaluations: opt.evaluations, loss, stopped };
}
