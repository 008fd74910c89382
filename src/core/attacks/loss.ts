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

/** Gradient of the summed cross-entropy (taken on logits) with respect to the input, and the mean loss. */
export function inputGradient(clf: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D): { grad: tf.Tensor4D; meanLoss: number } {
  const { value, grad } = tf.valueAndGrad((xx: tf.Tensor) => crossEntropy(clf.logits(xx as tf.Tensor4D), labels))(x);
  const meanLoss = value.dataSync()[0] / x.shape[0];
  value.dispose();
  return { grad: grad as tf.Tensor4D, meanLoss };
}
