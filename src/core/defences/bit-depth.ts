/**
 * Bit-depth reduction (Xu, Evans & Qi 2018, "Feature Squeezing"): each value in [0, 1] is rounded to
 * the nearest of 2^bits evenly spaced levels, as EvadeML-Zoo's `reduce_precision_py`:
 * `np.rint(x * (2^bits - 1)) / (2^bits - 1)`. tf.round rounds half to even like np.rint. Its gradient
 * in TensorFlow.js is zero everywhere (Round's registered gradient), which is what the naive attack sees.
 */
import * as tf from '@tensorflow/tfjs';
import { checkTransformParam } from './params';
import type { InputTransform } from './transform';

export function bitDepth(bits: number): InputTransform {
  checkTransformParam('bit-depth', bits);
  const levels = 2 ** bits - 1;
  return {
    kind: 'bit-depth',
    param: bits,
    randomised: false,
    differentiable: true,
    apply: (x) => tf.tidy(() => tf.div(tf.round(tf.mul(x, levels)), levels) as tf.Tensor4D),
  };
}
