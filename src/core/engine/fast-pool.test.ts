import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { maxPoolBackprop } from './fast-pool';
import { Rng } from '../random';

/** Gradient of sum(maxPool(x) * dy) with respect to x on the named backend. */
async function poolGrad(backend: string, x: number[], shape: number[], f: number, s: number, pad: 'valid' | 'same'): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, shape as [number, number, number, number]);
    const y = tf.maxPool(xt, f, s, pad);
    const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 7);
    return tf
      .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, f, s, pad), dy)))(xt)
      .dataSync() as Float32Array;
  });
}

describe('the JavaScript wasm MaxPoolGrad', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  const shape = [2, 7, 6, 3];
  const rng = new Rng(5);
  const noisy = Array.from({ length: shape.reduce((a, b) => a * b) }, () => 4 * rng.next() - 2);
  // rounded values tie often (and ReLU outputs tie at 0): the gradient must go to the first maximum
  const ties = noisy.map((v) => Math.max(0, Math.round(v)));
  for (const [f, s, pad] of [
    [2, 2, 'valid'],
    [2, 2, 'same'],
    [3, 2, 'same'],
    [3, 1, 'valid'],
  ] as const) {
    for (const [name, x] of [
      ['distinct values', noisy],
      ['tied values', ties],
    ] as const) {
      it(`equals the CPU backend's gradient (the first maximum wins; exactly when windows do not overlap) for ${f}x${f} stride ${s} ${pad}, ${name}`, async () => {
        const fast = await poolGrad('wasm', x, shape, f, s, pad);
        const reference = await poolGrad('cpu', x, shape, f, s, pad);
        if (f === s) {
          expect(Array.from(fast)).toEqual(Array.from(reference));
        } else {
          // overlapping windows add several dy into one pixel, in another order than the CPU backend
          const worst = Math.max(...Array.from(fast, (v, i) => Math.abs(v - reference[i])));
          expect(worst).toBeLessThan(1e-5);
          expect(Array.from(fast, (v) => v === 0)).toEqual(Array.from(reference, (v) => v === 0));
        }
        await tf.setBackend('wasm');
      });
    }
  }
  it('writes every element of dx, whatever the output buffer held before (the wasm heap is reused)', async () => {
    // an even-sized image: the 2x2 path covers it exactly and has no fill of its own
    const dims = [2, 8, 6, 3] as const;
    const x = noisy.concat(noisy).slice(
      0,
      dims.reduce((a: number, b: number) => a * b, 1),
    );
    const reference = await poolGrad('cpu', x, [...dims], 2, 2, 'valid');
    await tf.setBackend('wasm');
    const dy = tf.tidy(() => tf.randomNormal([2, 4, 3, 3], 0, 1, 'float32', 7).dataSync() as Float32Array);
    const dx = new Float32Array(x.length).fill(Number.NaN);
    const info = { batchSize: 2, inHeight: 8, inWidth: 6, inChannels: 3, outHeight: 4, outWidth: 3 };
    const pool = { strideHeight: 2, strideWidth: 2, filterHeight: 2, filterWidth: 2, padTop: 0, padLeft: 0 };
    maxPoolBackprop(Float32Array.from(x), dy, dx, { ...info, ...pool });
    expect(Array.from(dx)).toEqual(Array.from(reference));
  });
  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    const x = tf.randomNormal([4, 8, 8, 5]) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
