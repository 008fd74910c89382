/**
 * Deep Leakage from Gradients (Zhu et al. 2019), as the authors' code (mit-han-lab/dlg, main.py) runs
 * it: a dummy input and a dummy label (both torch.randn) are optimised with L-BFGS (lr 1, PyTorch's
 * defaults, lbfgs.ts) so that the gradient of cross_entropy_for_onehot(model(dummy), softmax(dummy
 * label)) matches the shared gradient in squared L2 distance, summed over every parameter tensor.
 * Their loop runs 300 optimizer.step(closure) calls; `iterations` counts those steps. L-BFGS stops a step early
 * at PyTorch's tolerances unless `tolerances` says otherwise (the leakage settings' `none`: 0 and 0).
 *
 * Differs from the authors': float64 optimiser state (lbfgs.ts); the network's layout is channels-last
 * (net.ts); with a batch, the dummy batch has one label per image as in their batched variant.
 */
import * as tf from '@tensorflow/tfjs';
import { argmaxRows, randn, tidyValue, report, squaredDistance, type LeakOptions, type LeakResult } from './attack';
import { Lbfgs } from './lbfgs';
import { parameterGradients, type LeakNet } from './net';

export interface DlgOptions extends LeakOptions {
  batch: number;
  /** L-BFGS iterations per step (PyTorch's max_iter, 20). */
  maxIterPerStep?: number;
}

export async function dlg(net: LeakNet, shared: readonly tf.Tensor[], options: DlgOptions): Promise<LeakResult> {
  const { batch } = options;
  const shape: [number, number, number, number] = [batch, ...net.inputShape];
  const nx = shape.reduce((a, d) => a * d, 1);
  const ny = batch * net.numClasses;
  const x0 = new Float64Array(nx + ny);
  x0.set(randn(nx, options.seed));
  x0.set(randn(ny, options.seed + 1), nx);
  const objective = (v: Float64Array) =>
    tidyValue(() => {
      const x = tf.tensor4d(Float32Array.from(v.subarray(0, nx)), shape);
      const y = tf.tensor2d(Float32Array.from(v.subarray(nx)), [batch, net.numClasses]);
      const { value, grads } = tf.valueAndGrads((xx: tf.Tensor, yy: tf.Tensor) =>
        squaredDistance(parameterGradients(net, xx as tf.Tensor4D, tf.softmax(yy as tf.Tensor2D)), shared),
      )([x, y]);
      const grad = new Float64Array(nx + ny);
      grad.set(grads[0].dataSync());
      grad.set(grads[1].dataSync(), nx);
      return { loss: value.dataSync()[0], grad };
    });
  const opt = new Lbfgs(x0, objective, { maxIter: options.maxIterPerStep ?? 20, ...options.tolerances });
  let loss = NaN;
  let step = 0;
  let stopped = false;
  const progress = () => ({
    step,
    loss,
    reconstruction: Float32Array.from(opt.x.subarray(0, nx)),
    labels: argmaxRows(opt.x.subarray(nx), batch),
  });
  while (step < options.iterations) {
    loss = opt.step();
    step++;
    if (!Number.isFinite(loss)) break;
    if (await report(options, step, step === options.iterations, progress)) {
      stopped = true;
      break;
    }
  }
  const p = progress();
  return { reconstruction: p.reconstruction, labels: p.labels, steps: step, evaluations: opt.evaluations, loss, stopped };
}
