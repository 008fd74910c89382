/**
 * Median smoothing over a k x k window, per channel (Xu, Evans & Qi 2018). Convention: EvadeML-Zoo's
 * `median_filter_py`, i.e. `scipy.ndimage.median_filter(x, size=(1, k, k, 1), mode='reflect')`:
 * - the window of output pixel i covers offsets -(k div 2) .. k - (k div 2) - 1 (scipy's origin 0), so a
 *   2 x 2 window covers the pixel, the one above, the one to the left and the one above-left;
 * - the value taken is the one of rank (k*k) div 2 counted from 0 in ascending order, so for an even
 *   window the upper of the two middle values (scipy does not average them);
 * - borders are padded by 'reflect' (d c b a | a b c d | d c b a: the edge pixel repeated), TensorFlow's
 *   mirrorPad 'symmetric'.
 * (OpenCV's medianBlur and PIL's MedianFilter take odd k only; torch/kornia median_blur pads with zeros.)
 * The value is selected with a one-hot mask from tf.topk's indices, so TensorFlow.js differentiates it
 * (the gradient goes to the selected pixel), as TensorFlow does through top_k.
 */
import * as tf from '@tensorflow/tfjs';
import { checkTransformParam } from './params';
import type { InputTransform } from './transform';

/**
 * One-hot mask (over the last axis) of the value of the given ascending rank: rank r is the
 * (size - r)-th largest, the last of tf.topk's size - r values. TopK has no gradient in TensorFlow.js,
 * so the mask is cut from the tape (its gradient is zero: the selection is piecewise constant).
 */
const selection = (stack: tf.Tensor5D, size: number, rank: number): tf.Tensor =>
  tf.customGrad(((s: tf.Tensor) => ({
    value: tf.tidy(() => {
      const { values, indices } = tf.topk(s, size - rank, true);
      values.dispose();
      const [n, h, w, c] = s.shape;
      const idx = tf.squeeze(tf.slice(indices, [0, 0, 0, 0, size - rank - 1], [n, h, w, c, 1]), [4]);
      return tf.oneHot(idx, size);
    }),
    gradFunc: (_dy: tf.Tensor) => tf.zerosLike(s),
  })) as unknown as Parameters<typeof tf.customGrad>[0])(stack);

export function median(k: number): InputTransform {
  checkTransformParam('median', k);
  const before = Math.floor(k / 2);
  const after = k - before - 1;
  const size = k * k;
  const rank = Math.floor(size / 2);
  return {
    kind: 'median',
    param: k,
    randomised: false,
    differentiable: true,
    apply: (x) =>
      tf.tidy(() => {
        const [n, h, w, c] = x.shape;
        if (h <= before || w <= before || h <= after || w <= after)
          throw new Error(`median: a ${k} x ${k} window needs images larger than ${h} x ${w}`);
        const padded = tf.mirrorPad(
          x,
          [
            [0, 0],
            [before, after],
            [before, after],
            [0, 0],
          ],
          'symmetric',
        );
        const views: tf.Tensor4D[] = [];
        for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) views.push(tf.slice(padded, [0, dy, dx, 0], [n, h, w, c]));
        const stack = tf.stack(views, 4) as tf.Tensor5D;
        return tf.sum(tf.mul(stack, selection(stack, size, rank)), 4) as tf.Tensor4D;
      }),
  };
}
