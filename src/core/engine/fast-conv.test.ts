import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { channelsFirstBatchLast, col2im } from './fast-conv';
import type { WasmBackend } from './kernels';

/** Input and filter gradients of sum(conv(x, w) * dy) on the current backend. */
function convGrads(ci: number, k: number, pad: 'valid' | 'same', fused: boolean, co = 5, stride = 1): number[][] {
  return tf.tidy(() => {
    const x = tf.randomNormal([3, 9, 8, ci], 0, 1, 'float32', 1) as tf.Tensor4D;
    const w = tf.randomNormal([k, k, ci, co], 0, 1, 'float32', 2) as tf.Tensor4D;
    const b = tf.randomNormal([co], 0, 1, 'float32', 3);
    const dy = tf.randomNormal(tf.conv2d(x, w, stride, pad).shape, 0, 1, 'float32', 4);
    // a fused convolution with a linear activation (as before batch normalisation) has its own gradient
    const conv = (xx: tf.Tensor, ww: tf.Tensor) =>
      fused
        ? tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ww as tf.Tensor4D, strides: stride, pad, bias: b })
        : tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, pad);
    return tf
      .grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(conv(xx, ww), dy)))([x, w])
      .map((g) => Array.from(g.dataSync()));
  });
}

describe("the wasm convolution gradients equal the CPU backend's", () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  // 1-4 input channels take the matrix-product + col2im path for dx, more the flipped convolution; with
  // a multiple of 8 output channels, 1-4 input channels take the SIMD kernel for dW (simd/kernels.wat)
  for (const ci of [1, 3, 6])
    for (const pad of ['valid', 'same'] as const)
      for (const k of [3, 4, 5])
        for (const [fused, co] of [
          [false, 5],
          [true, 5],
          [false, 16],
        ] as const)
          it(`${k}x${k} kernel, ${pad} padding, ${ci} input channels, ${co} output channels${fused ? ', fused' : ''}`, async () => {
            await tf.setBackend('cpu');
            const reference = convGrads(ci, k, pad, fused, co);
            await tf.setBackend('wasm');
            const fast = convGrads(ci, k, pad, fused, co);
            for (const [g, tolerance] of [
              [0, 1e-4],
              [1, 1e-3],
            ] as const) {
              expect(fast[g].length).toBe(reference[g].length);
              const worst = Math.max(...fast[g].map((v, i) => Math.abs(v - reference[g][i])));
              expect(worst).toBeLessThan(tolerance);
            }
          });

  // strided convolutions (Opacus's MNIST network: 8x8 stride 2 same, 4x4 stride 2 valid): dW by im2col
  for (const [ci, k, pad, co] of [
    [1, 8, 'same', 16],
    [16, 4, 'valid', 8],
    [3, 3, 'same', 5],
  ] as const)
    it(`stride 2, ${k}x${k} kernel, ${pad} padding, ${ci} input channels`, async () => {
      await tf.setBackend('cpu');
      const reference = convGrads(ci, k, pad, false, co, 2);
      await tf.setBackend('wasm');
      const fast = convGrads(ci, k, pad, false, co, 2);
      for (const g of [0, 1]) {
        expect(fast[g].length).toBe(reference[g].length);
        expect(Math.max(...fast[g].map((v, i) => Math.abs(v - reference[g][i])))).toBeLessThan(1e-3);
      }
    });

  it('leaks no tensors', async () => {
    await tf.setBackend('wasm');
    convGrads(1, 3, 'same', false);
    const before = tf.memory().numTensors;
    convGrads(1, 3, 'same', false);
    convGrads(6, 3, 'valid', true);
    convGrads(3, 3, 'same', false, 16);
    convGrads(3, 4, 'same', false, 5, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('col2im', () => {
  it('adds every tap into place and overwrites whatever dx held', () => {
    // one 2x2 single-channel output of a 2x2 kernel, valid: the 3x3 input sees 1, 2 or 4 taps per pixel
    const cols = Float32Array.from({ length: 2 * 2 * 4 }, () => 1);
    const dx = new Float32Array(9).fill(Number.NaN);
    col2im(cols, dx, { n: 1, ho: 2, wo: 2, kh: 2, kw: 2, h: 3, w: 3, ci: 1, padTop: 0, padLeft: 0 });
    expect(Array.from(dx)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
  });
});

describe('channelsFirstBatchLast', () => {
  it("equals the Transpose kernel's [3, 1, 2, 0] permutation", async () => {
    await initNodeBackend('wasm', 1);
    const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 9);
    const backend = tf.backend() as unknown as WasmBackend;
    const info = channelsFirstBatchLast(backend, { dataId: x.dataId, shape: x.shape, dtype: 'float32' });
    const t = tf.engine().makeTensorFromTensorInfo({ ...info, dtype: 'float32' });
    expect(t.shape).toEqual([6, 4, 5, 3]);
    expect(Array.from(t.dataSync())).toEqual(Array.from(tf.transpose(x, [3, 1, 2, 0]).dataSync()));
    tf.dispose([x, t]);
  });
});
