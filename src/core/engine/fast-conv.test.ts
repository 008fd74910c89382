import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { conv2dFilterGrad, conv2dInputGrad } from './fast-conv';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

describe('fast Conv2D gradients equal the reference gradients', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  // 1-4 input channels take the matrix-product path, more the flipped convolution
  for (const ci of [1, 3, 6])
    for (const pad of ['valid', 'same'] as const) {
      for (const k of [3, 4, 5]) {
        it(`${k}x${k} kernel, ${pad} padding, ${ci} input channels`, () => {
          const x = tf.randomNormal([3, 9, 8, ci], 0, 1, 'float32', 1) as tf.Tensor4D;
          const w = tf.randomNormal([k, k, ci, 5], 0, 1, 'float32', 2) as tf.Tensor4D;
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

describe('Conv2DBackpropFilter on the wasm backend (fused convolutions with a linear activation)', () => {
  it('gives the CPU backend filter and bias gradients', async () => {
    const { initNodeBackend } = await import('./node-backend');
    const run = () =>
      tf.tidy(() => {
        const x = tf.randomNormal([2, 7, 6, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
        const w = tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
        const b = tf.randomNormal([4], 0, 1, 'float32', 3);
        const dy = tf.randomNormal([2, 7, 6, 4], 0, 1, 'float32', 4);
        const f = (ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(tf.fused.conv2d({ x, filter: ww as tf.Tensor4D, strides: 1, pad: 'same', bias: bb }), dy));
        return tf
          .grads(f)([w, b])
          .map((g) => Array.from(g.dataSync()));
      });
    const reference = run();
    await initNodeBackend('wasm', 1);
    const fast = run();
    await tf.setBackend('cpu');
    fast.forEach((g, k) => g.forEach((v, i) => expect(v).toBeCloseTo(reference[k][i], 3)));
  });
});

describe('Conv2DBackpropInput on the wasm backend', () => {
  it('equals the CPU backend for valid and same padding, 3x3 and 5x5 kernels', async () => {
    const { initNodeBackend } = await import('./node-backend');
    const run = () =>
      tf.tidy(() =>
        (['valid', 'same'] as const).flatMap((pad) =>
          [3, 5].map((k) => {
            const w = tf.randomNormal([k, k, 3, 4], 0, 1, 'float32', 2) as tf.Tensor4D;
            const y = tf.conv2d(tf.zeros([2, 9, 8, 3]) as tf.Tensor4D, w, 1, pad);
            const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 4) as tf.Tensor4D;
            return Array.from(tf.conv2dTranspose(dy, w, [2, 9, 8, 3], 1, pad).dataSync());
          }),
        ),
      );
    await tf.setBackend('cpu');
    const reference = run();
    await initNodeBackend('wasm', 1);
    const fast = run();
    await tf.setBackend('cpu');
    fast.forEach((g, k) => g.forEach((v, i) => expect(v).toBeCloseTo(reference[k][i], 4)));
  });
});

describe('the few-input-channel input gradient on wasm (matrix product + col2im)', () => {
  for (const ci of [1, 3])
    for (const pad of ['valid', 'same'] as const)
      for (const k of [3, 5])
        it(`${k}x${k}, ${pad}, ${ci} input channels: equals the CPU backend's conv2dTranspose`, async () => {
          const { initNodeBackend } = await import('./node-backend');
          const inputs = () => {
            const w = tf.randomNormal([k, k, ci, 7], 0, 1, 'float32', 2) as tf.Tensor4D;
            const y = tf.conv2d(tf.zeros([3, 9, 8, ci]) as tf.Tensor4D, w, 1, pad);
            return { w, dy: tf.randomNormal(y.shape, 0, 1, 'float32', 4) as tf.Tensor4D };
          };
          await tf.setBackend('cpu');
          const reference = tf.tidy(() => {
            const { w, dy } = inputs();
            return Array.from(tf.conv2dTranspose(dy, w, [3, 9, 8, ci], 1, pad).dataSync());
          });
          await initNodeBackend('wasm', 1);
          const ph = pad === 'valid' ? 0 : k - 1;
          const p: [number, number, number, number] = [ph >> 1, ph - (ph >> 1), ph >> 1, ph - (ph >> 1)];
          const fast = tf.tidy(() => {
            const { w, dy } = inputs();
            return Array.from(conv2dInputGrad(dy, w, p).dataSync());
          });
          await tf.setBackend('cpu');
          expect(fast.length).toBe(reference.length);
          fast.forEach((v, i) => expect(v).toBeCloseTo(reference[i], 4));
        });
});
