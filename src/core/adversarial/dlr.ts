/**
 * The Difference of Logits Ratio (DLR) loss of Croce & Hein 2020 ("Reliable evaluation of adversarial
 * robustness with an ensemble of diverse parameter-free attacks", Sec. 4), per image, on logits z,
 * with pi the classes sorted by decreasing logit (z_pi1 >= z_pi2 >= ...):
 *
 *   untargeted   DLR(z, y)    = -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)
 *   targeted     DLR_T(z, y, t) = -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)
 *
 * Both are maximised by the attacks (positive = misclassified / t above y), and are invariant to
 * shifting and to positive scaling of the logits. Convention: the authors' reference code
 * (AutoAttack's `dlr_loss` and `dlr_loss_targeted`), including the 1e-12 in the denominator; the
 * paper writes the same quantities without it. torchattacks' APGD and APGDT use the same formulas
 * (the targeted denominator written z_pi1 - z_pi3/2 - z_pi4/2). ART's APGD
 * (loss_type='difference_logits_ratio') omits the 1e-12 and has no targeted DLR: its targeted runs
 * descend the untargeted DLR taken with the target label. The untargeted loss needs at least 3
 * classes, the targeted one at least 4.
 *
 * The sorted logits are picked with one-hot masks of successive argmax indices (ties resolved to
 * the lowest class index), so that the gradient flows through the selected logits exactly as
 * through PyTorch's sort; TensorFlow.js has no gradient for TopK.
 */
import * as tf from '@tensorflow/tfjs';

/** A value far below any logit: masks a selected class out of the next argmax. */
const MASKED = 1e30;

/** One-hot rows (n x k) of the classes with the `count` largest logits, in decreasing order. */
function sortedMasks(z: tf.Tensor2D, count: number): tf.Tensor2D[] {
  const k = z.shape[1];
  const masks: tf.Tensor2D[] = [];
  let taken = tf.zerosLike(z);
  for (let j = 0; j < count; j++) {
    const m = tf.oneHot(tf.argMax(tf.sub(z, tf.mul(taken, MASKED)), 1), k).toFloat() as tf.Tensor2D;
    masks.push(m);
    taken = tf.add(taken, m);
  }
  return masks;
}

const pick = (z: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D => tf.sum(tf.mul(z, mask), 1) as tf.Tensor1D;

/** Untargeted DLR loss per image of logits z (n x k, k >= 3) against the true classes y. */
export function dlrLoss(z: tf.Tensor2D, y: tf.Tensor1D): tf.Tensor1D {
  if (z.shape[1] < 3) throw new Error(`the DLR loss needs at least 3 classes, got ${z.shape[1]}`);
  return tf.tidy(() => {
    const [m1, , m3] = sortedMasks(z, 3);
    const yMask = tf.oneHot(y, z.shape[1]).toFloat() as tf.Tensor2D;
    const zy = pick(z, yMask);
    const otherMax = tf.max(tf.sub(z, tf.mul(yMask, MASKED)), 1);
    const denom = tf.add(tf.sub(pick(z, m1), pick(z, m3)), 1e-12);
    return tf.neg(tf.div(tf.sub(zy, otherMax), denom)) as tf.Tensor1D;
  });
}

/** Targeted DLR loss per image of logits z (n x k, k >= 4), true classes y, target classes t. */
export function dlrLossTargeted(z: tf.Tensor2D, y: tf.Tensor1D, t: tf.Tensor1D): tf.Tensor1D {
  if (z.shape[1] < 4) throw new Error(`the targeted DLR loss needs at least 4 classes, got ${z.shape[1]}`);
  return tf.tidy(() => {
    const k = z.shape[1];
    const [m1, , m3, m4] = sortedMasks(z, 4);
    const zy = pick(z, tf.oneHot(y, k).toFloat() as tf.Tensor2D);
    const zt = pick(z, tf.oneHot(t, k).toFloat() as tf.Tensor2D);
    const denom = tf.add(tf.sub(pick(z, m1), tf.mul(tf.add(pick(z, m3), pick(z, m4)), 0.5)), 1e-12);
    return tf.neg(tf.div(tf.sub(zy, zt), denom)) as tf.Tensor1D;
  });
}
