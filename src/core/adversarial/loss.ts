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
