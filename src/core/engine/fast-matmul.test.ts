import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { Rng } from '../random';

/** Plain triple loop in float64: the reference. */
function reference(a: Float32Array, b: Float32Array, [batch, m, k, n]: number[], ta: boolean, tb: boolean): Float64Array {
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          const av = ta ? a[z * k * m + p * m + i] : a[z * m * k + i * k + p];
          const bv = tb ? b[z * n * k + j * k + p] : b[z * k * n + p * n + j];
          s += av * bv;
        }
        out[z * m * n + i * n + j] = s;
      }
  return out;
}

describe('wasm BatchMatMul with transposed operands', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });

  for (const [ta, tb] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    it(`transposeA=${ta} transposeB=${tb}, rank 2 and batched rank 3`, () => {
      const rng = new Rng(ta ? (tb ? 1 : 2) : tb ? 3 : 4);
      for (const [batch, m, k, n] of [
        [1, 5, 7, 3],
        [3, 4, 6, 2],
      ]) {
        const a = Float32Array.from({ length: batch * m * k }, () => rng.next() * 2 - 1);
        const b = Float32Array.from({ length: batch * k * n }, () => rng.next() * 2 - 1);
        const aShape: number[] = batch === 1 ? (ta ? [k, m] : [m, k]) : ta ? [batch, k, m] : [batch, m, k];
        const bShape: number[] = batch === 1 ? (tb ? [n, k] : [k, n]) : tb ? [batch, n, k] : [batch, k, n];
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb).dataSync());
        expect(tf.memory().numTensors).toBe(before);
        const want = reference(a, b, [batch, m, k, n], ta, tb);
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-5);
      }
    });
  }

  it('gives the dense layer gradient of the reference', () => {
    const x = tf.randomNormal([8, 12], 0, 1, 'float32', 1);
    const w = tf.randomNormal([12, 5], 0, 1, 'float32', 2);
    const g = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.square(tf.matMul(xx, ww))));
    const [dx, dw] = g([x, w]);
    // d/dx sum((xw)^2) = 2 (xw) w^T ; d/dw = 2 x^T (xw), computed with explicit transposes
    const y = tf.matMul(x, w);
    const dx2 = tf.mul(2, tf.matMul(y, tf.transpose(w)));
    const dw2 = tf.mul(2, tf.matMul(tf.transpose(x), y));
    expect(tf.max(tf.abs(tf.sub(dx, dx2))).dataSync()[0]).toBeLessThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(dw, dw2))).dataSync()[0]).toBeLessThan(1e-4);
    tf.dispose([x, w, dx, dw, y, dx2, dw2]);
  });
});
