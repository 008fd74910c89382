import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node-backend';
import { setSimdKernels, simdKernels, type SimdKernels } from './index';
import { batchNormGrad } from '../batch-norm';

/** Runs f with the SIMD kernels installed, then without (the JavaScript twins), on the wasm backend. */
function bothPaths<T>(f: () => T): [T, T] {
  const k = simdKernels() as SimdKernels;
  try {
    const simd = f();
    setSimdKernels(null);
    return [simd, f()];
  } finally {
    setSimdKernels(k);
  }
}

const poolGrad = (x: tf.Tensor4D) =>
  tf.tidy(() => {
    const dy = tf.randomNormal(tf.maxPool(x, 2, 2, 'valid').shape, 0, 1, 'float32', 7);
    return Array.from(
      tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), dy)))(x)
        .dataSync(),
    );
  });

/** A first-layer filter gradient (the SIMD kernel's case: 3 input channels, 16 output channels, padded). */
const convFilterGrad = () =>
  tf.tidy(() => {
    const x = tf.randomUniform([2, 6, 5, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const dy = tf.randomNormal([2, 6, 5, 16], 0, 1, 'float32', 3);
    return Array.from(
      tf
        .grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), dy)))(tf.zeros([3, 3, 3, 16]))
        .dataSync(),
    );
  });

describe('the SIMD kernels (kernels.wat) on the wasm heap', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });

  it('are installed in Node', () => {
    expect(simdKernels()).not.toBeNull();
  });

  for (const shape of [
    [2, 8, 6, 4],
    [3, 7, 5, 8], // odd height and width: the last row and column belong to no window and get 0
    [4, 26, 26, 32],
  ] as [number, number, number, number][])
    it(`max-pool gradient equals the JavaScript kernel bit for bit, ties and NaN included (${shape.join('x')})`, () => {
      const x = tf.tidy(() => {
        const r = tf.randomUniform(shape, -2, 2, 'float32', 3);
        // ReLU-like values tie at 0 and at integers; a few NaNs
        const tied = tf.relu(tf.round(r));
        const nan = tf.fill(shape, NaN);
        return tf.where(tf.less(tf.randomUniform(shape, 0, 1, 'float32', 4), 0.02), nan, tied) as tf.Tensor4D;
      });
      const [simd, js] = bothPaths(() => poolGrad(x));
      expect(simd.map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual(js.map((v) => (Number.isNaN(v) ? 'NaN' : v)));
      // and it is a real gradient: every window's dy lands on exactly one pixel
      expect(simd.filter((v) => v !== 0).length).toBeGreaterThan(0);
      x.dispose();
    });

  it('max-pool gradient equals the CPU backend, which routes dy to the first maximum', async () => {
    const shape: [number, number, number, number] = [2, 6, 6, 8];
    const values = Array.from({ length: 2 * 6 * 6 * 8 }, (_, i) => (i * 7919) % 5);
    const grad = () => poolGrad(tf.tensor4d(values, shape));
    const wasm = grad();
    await tf.setBackend('cpu');
    const cpu = grad();
    await tf.setBackend('wasm');
    expect(wasm).toEqual(cpu);
  });

  it('sums and means over leading axes equal the JavaScript kernel bit for bit (float64 accumulation)', () => {
    const x = tf.randomNormal([64, 13, 13, 32], 3, 10, 'float32', 9);
    for (const op of [(t: tf.Tensor) => tf.sum(t, [0, 1, 2]), (t: tf.Tensor) => tf.mean(t, [0, 1]), (t: tf.Tensor) => tf.sum(t, 0, true)]) {
      const [simd, js] = bothPaths(() => tf.tidy(() => Array.from(op(x).dataSync())));
      expect(simd).toEqual(js);
    }
    // float64 accumulation: summing 1 + 2^-24 many times loses nothing a float32 running sum would
    const ones = tf.fill([4096, 8], 1 + 2 ** -23);
    const s = tf.sum(ones, 0).dataSync();
    expect(s[0]).toBe(Math.fround(4096 * (1 + 2 ** -23)));
    tf.dispose([x, ones]);
  });

  it('the first-layer filter gradient matches the batch-transposed convolution it replaces', () => {
    const x = tf.randomUniform([8, 12, 10, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 3, 16], 0, 1, 'float32', 2) as tf.Tensor4D;
    const dy = tf.randomNormal([8, 12, 10, 16], 0, 1, 'float32', 3);
    const g = () =>
      tf.tidy(() =>
        Array.from(
          tf
            .grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, 'same'), dy)))(w)
            .dataSync(),
        ),
      );
    const [simd, xnn] = bothPaths(g);
    const worst = Math.max(...simd.map((v, i) => Math.abs(v - xnn[i])));
    expect(worst).toBeLessThan(1e-3);
    expect(Math.max(...xnn.map(Math.abs))).toBeGreaterThan(1);
    tf.dispose([x, w, dy]);
  });

  const forward = (f: () => tf.Tensor) => tf.tidy(() => Array.from(f().dataSync()));

  for (const shape of [
    [3, 26, 26, 32],
    [2, 7, 5, 8], // odd: the last row and column belong to no window
  ] as [number, number, number, number][])
    it(`the 2x2 max pool equals TensorFlow.js's kernel bit for bit and the CPU backend (${shape.join('x')})`, async () => {
      const x = tf.tidy(() => tf.relu(tf.round(tf.randomUniform(shape, -3, 3, 'float32', 27)))) as tf.Tensor4D;
      const pool = () => forward(() => tf.maxPool(x, 2, 2, 'valid'));
      const [simd, xnn] = bothPaths(pool);
      expect(simd).toEqual(xnn);
      const values = x.arraySync();
      await tf.setBackend('cpu');
      const cpu = forward(() => tf.maxPool(tf.tensor4d(values), 2, 2, 'valid'));
      await tf.setBackend('wasm');
      expect(simd).toEqual(cpu);
      expect(new Set(simd).size).toBeGreaterThan(2);
      x.dispose();
    });

  for (const c of [8, 36])
    it(`batch normalisation's gradient equals the JavaScript kernel bit for bit, and the op formula on the CPU backend (${c} channels)`, async () => {
      const args = () => {
        const x = tf.randomNormal([5, 7, 3, c], 0.5, 2, 'float32', 11);
        const { mean, variance } = tf.moments(x, [0, 1, 2]);
        return [
          tf.randomNormal(x.shape, 0, 1, 'float32', 12),
          x,
          mean,
          tf.rsqrt(tf.add(variance, 1e-3)),
          tf.randomUniform([c], 0.5, 1.5, 'float32', 13),
        ] as [tf.Tensor, tf.Tensor, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
      };
      const grads = () => tf.tidy(() => batchNormGrad(...args()).map((g) => Array.from(g.dataSync())));
      const [simd, js] = bothPaths(grads);
      expect(simd).toEqual(js);
      await tf.setBackend('cpu');
      const ops = grads();
      await tf.setBackend('wasm');
      simd.forEach((g, i) => expect(Math.max(...g.map((v, j) => Math.abs(v - ops[i][j])))).toBeLessThan(1e-4));
    });

  it('leave tf.memory() flat', () => {
    const x = tf.randomUniform([4, 10, 10, 8]) as tf.Tensor4D;
    const step = () => {
      poolGrad(x);
      tf.sum(x, [0, 1, 2]).dispose();
      convFilterGrad();
      tf.maxPool(x, 2, 2, 'valid').dispose();
    };
    step();
    const before = tf.memory();
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    x.dispose();
  });
});

describe('the wasm Identity shares data instead of copying it', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  it('a clone outlives its original, and the buffer is freed with the last reference', () => {
    const buffers = () => tf.backend().numDataIds();
    const before = buffers();
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    expect(buffers()).toBe(before + 1); // one buffer, two tensors
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    expect(buffers()).toBe(before);
  });
});
