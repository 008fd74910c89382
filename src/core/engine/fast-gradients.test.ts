import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad } from './fast-gradients';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('fast Conv2D gradients equal the reference gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const pad of ['valid', 'same'] as const) {
    for (const k of [3, 4, 5]) {
      it(`${k}x${k} kernel, ${pad} padding`, () => {
        const x = tf.randomNormal([3, 9, 8, 2], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([k, k, 2, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
        const y = tf.conv2d(x, w, 1, pad);
        const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 3) as tf.Tensor4D;
        const refX = tf.conv2dTranspose(dy, w, x.shape, 1, pad);
        // reference filter gradient: d/dW of sum(conv(x, W) * dy)
        const refW = tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as tf.Tensor4D, 1, pad), dy)))(w);
        const ph = pad === 'valid' ? 0 : k - 1;
        const p: [number, number, number, number] = [
          Math.floor(ph / 2),
          ph - Math.floor(ph / 2),
          Math.floor(ph / 2),
          ph - Math.floor(ph / 2),
        ];
        expect(conv2dInputGrad(dy, w, p).shape).toEqual(x.shape);
        expect(maxAbsDiff(conv2dInputGrad(dy, w, p), refX)).toBeLessThan(1e-4);
        expect(maxAbsDiff(conv2dFilterGrad(x, dy, p), refW)).toBeLessThan(1e-3);
      });
    }
  }
});
