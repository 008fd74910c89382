import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier';

/** Summed softmax cross-entropy of logits against integer labels. */
export function crossEntropy(logits: tf.Tensor2D, labels: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.logSoftmax(logits);
    const picked = tf.sum(tf.mul(logp, tf.oneHot(labels, logits.shape[1])), 1);
    return tf.neg(tf.sum(picked)) as tf.Scalar;
  });
}

/**
 * Gradient of the summed cross-entropy (taken on logits) with respect to the input, and the mean loss
 * (read with an awaited `data()`, never synchronously). The caller disposes grad.
 */
export async function inputGradient(
  clf: Classifier,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
): Promise<{ grad: tf.Tensor4D; meanLoss: number }> {
  // EOT on a defended classifier with a randomised transform: the mean of the per-draw gradients and losses
  const draws = clf.defence?.gradientSamples ?? 1;
  if (draws > 1) {
    let sum: tf.Tensor4D | null = null;
    let loss = 0;
    try {
      for (let s = 0; s < draws; s++) {
        const r = await inputGradientOnce(clf, x, labels);
        loss += r.meanLoss;
        if (sum === null) sum = r.grad;
        else {
          const next: tf.Tensor4D = tf.add(sum, r.grad);
          sum.dispose();
          r.grad.dispose();
          sum = next;
        }
      }
      return { grad: tf.div(sum!, draws), meanLoss: loss / draws };
    } finally {
      sum?.dispose();
    }
  }
  return inputGradientOnce(clf, x, labels);
}

async function inputGradientOnce(clf: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D): Promise<{ grad: tf.Tensor4D; meanLoss: number }> {
  const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => crossEntropy(clf.logits(xx as tf.Tensor4D), labels))(x);
  try {
    const meanLoss = (await value.data())[0] / x.shape[0];
    return { grad: grad as tf.Tensor4D, meanLoss };
  } catch (e) {
    grad.dispose();
    throw e;
  } finally {
    value.dispose();
  }
}
