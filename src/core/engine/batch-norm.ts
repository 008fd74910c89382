/**
 * Batch normalisation in training mode with a closed-form gradient.
 *
 * TensorFlow.js's BatchNormalization layer trains through tf.moments and tf.batchNorm. Their taped
 * gradients (FusedBatchNorm's, then Mean's and SquaredDifference's back into x) take about 25
 * element-wise passes over the activation per layer; in a batch-normalised VGG on the wasm engine
 * that was a third of a training step. The forward pass here is the same (tf.moments, then
 * tf.batchNorm, the layer's own ops); the gradient is the closed form of Ioffe and Szegedy (2015),
 * with the batch mean and variance differentiated through:
 *   xhat = (x - mean) * invStd,   invStd = 1 / sqrt(variance + eps),   N = values per channel
 *   dbeta = sum(dy),   dgamma = sum(dy * xhat)
 *   dx = gamma * invStd * (dy - dbeta / N - xhat * dgamma / N)
 * On wasm the RlabBatchNormGrad kernel does it in two passes (sums in float64; SIMD when channels are a
 * multiple of 4, with the same bits); other backends run
 * the same formula as ops. Equal to the taped gradient up to float32 rounding (batch-norm.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { addKernel, type KernelArgs, type TensorInfo } from './kernels';
import { simdKernels } from './simd';

const GRAD_KERNEL = 'RlabBatchNormGrad';

/** The RlabBatchNormGrad kernel: [dx, dgamma, dbeta] from dy, x, mean, invStd and gamma (channels last). */
function gradKernel({ inputs, backend }: KernelArgs): TensorInfo[] {
  const { dy, x, mean, invStd, gamma } = inputs;
  const c = x.shape[x.shape.length - 1];
  const dx = backend.makeOutput(x.shape, 'float32');
  const dgamma = backend.makeOutput([c], 'float32');
  const dbeta = backend.makeOutput([c], 'float32');
  const simd = c % 4 === 0 ? simdKernels() : null;
  // float64 scratch on the heap for the SIMD passes: sumDy, sumDyXc, a, b, k0
  const scratch = simd ? backend.makeOutput([10 * c], 'float32') : null;
  // heap views after the last allocation (allocating may move the heap)
  const [X, DY, M, S, G, DX] = [x, dy, mean, invStd, gamma, dx].map((t) => backend.typedArrayFromHeap(t));
  const f64 = (i: number) => {
    const s = backend.typedArrayFromHeap(scratch as TensorInfo);
    return new Float64Array(s.buffer, s.byteOffset + i * c * 8, c);
  };
  const [sumDy, sumDyXc, a, b, k0] = simd ? [0, 1, 2, 3, 4].map(f64) : [0, 1, 2, 3, 4].map(() => new Float64Array(c));
  const n = X.length / c;
  if (simd) {
    sumDy.fill(0);
    sumDyXc.fill(0);
    simd.batchNormGradSums(X.byteOffset, DY.byteOffset, M.byteOffset, sumDy.byteOffset, sumDyXc.byteOffset, n, c);
  } else {
    for (let off = 0; off < X.length; off += c) {
      for (let k = 0; k < c; k++) {
        const d = DY[off + k];
        sumDy[k] += d;
        sumDyXc[k] += d * (X[off + k] - M[k]); // sum of dy * (x - mean)
      }
    }
  }
  // dx = a dy + b (x - mean) + k0, per channel
  const dg = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    dg[k] = sumDyXc[k] * S[k];
    a[k] = G[k] * S[k];
    b[k] = (-a[k] * S[k] * dg[k]) / n;
    k0[k] = (-a[k] * sumDy[k]) / n - b[k] * M[k];
  }
  if (simd) simd.batchNormGradApply(X.byteOffset, DY.byteOffset, DX.byteOffset, a.byteOffset, b.byteOffset, k0.byteOffset, n, c);
  else for (let off = 0; off < X.length; off += c) for (let k = 0; k < c; k++) DX[off + k] = a[k] * DY[off + k] + b[k] * X[off + k] + k0[k];
  backend.typedArrayFromHeap(dgamma).set(dg);
  backend.typedArrayFromHeap(dbeta).set(sumDy);
  if (scratch) backend.disposeData(scratch.dataId);
  return [dx, dgamma, dbeta];
}

let installed = false;

/** Register the wasm gradient kernel (idempotent; no-op without the wasm backend). */
export function installBatchNormGrad(): void {
  if (installed || !tf.getKernel('FusedBatchNorm', 'wasm')) return;
  installed = true;
  addKernel(GRAD_KERNEL, 'wasm', gradKernel);
}

/** [dx, dgamma, dbeta] of batch normalisation with batch statistics (channels last). */
export function batchNormGrad(dy: tf.Tensor, x: tf.Tensor, mean: tf.Tensor1D, invStd: tf.Tensor1D, gamma: tf.Tensor1D): tf.Tensor[] {
  if (tf.getBackend() === 'wasm' && tf.getKernel(GRAD_KERNEL, 'wasm')) {
    return tf.engine().runKernel(GRAD_KERNEL, { dy, x, mean, invStd, gamma }) as tf.Tensor[];
  }
  return tf.tidy(() => {
    const axes = x.shape.slice(0, -1).map((_, i) => i);
    const n = x.size / x.shape[x.rank - 1];
    const xhat = tf.mul(tf.sub(x, mean), invStd);
    const dbeta = tf.sum(dy, axes);
    const dgamma = tf.sum(tf.mul(dy, xhat), axes);
    const dx = tf.mul(tf.mul(gamma, invStd), tf.sub(tf.sub(dy, tf.div(dbeta, n)), tf.mul(xhat, tf.div(dgamma, n))));
    return [dx, dgamma, dbeta];
  });
}

/**
 * Normalise x over every axis but the last with its own batch statistics, then scale and shift.
 * Returns the output and the (biased) batch mean and variance, as TensorFlow.js's layer computes them.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
): { y: tf.Tensor; mean: tf.Tensor1D; variance: tf.Tensor1D } {
  const { mean, variance } = tf.moments(
    x,
    x.shape.slice(0, -1).map((_, i) => i),
  ) as { mean: tf.Tensor1D; variance: tf.Tensor1D };
  // mean and variance reach the output only inside the custom op: the tape never differentiates them
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xx, g, b, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const invStd = tf.rsqrt(tf.add(variance, epsilon)) as tf.Tensor1D;
    save([xx, g, mean, invStd]);
    return {
      value: tf.batchNorm(xx, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, epsilon),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sg, sm, si] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        return batchNormGrad(dy, sx, sm, si, sg);
      },
    };
  });
  return { y: op(x, gamma, beta), mean, variance };
}
