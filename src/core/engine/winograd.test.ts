import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from './node-backend';
import { setConvAlgorithm, winogradFilter } from './winograd';

type Pad = 'valid' | 'same' | number;

/** A seeded fused convolution on the wasm backend with the chosen algorithm. */
function conv(
  algorithm: 'direct' | 'winograd',
  shape: [number, number, number, number],
  co: number,
  pad: Pad,
  opts: { relu?: boolean; bias?: boolean; stride?: number } = {},
) {
  setConvAlgorithm(algorithm);
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, shape[3], co], 0, 0.3, 'float32', 2) as tf.Tensor4D;
    const bias = opts.bias ? tf.randomNormal([co], 0, 1, 'float32', 3) : undefined;
    const y = tf.fused.conv2d({ x, filter, bias, activation: opts.relu ? 'relu' : 'linear', strides: opts.stride ?? 1, pad });
    return y.dataSync() as Float32Array;
  });
}

const maxAbs = (a: Float32Array) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('the Winograd F(2x2, 3x3) convolution', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm', 1);
  });
  afterEach(() => setConvAlgorithm('direct'));

  it('transforms a filter of ones to the outer product of G row sums (1, 1.5, 0.5, 1)', () => {
    const u = winogradFilter(new Float32Array(9 * 2 * 8).fill(1), 2, 8);
    const r = [1, 1.5, 0.5, 1];
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) for (let k = 0; k < 16; k++) expect(u[(i * 4 + j) * 16 + k]).toBeCloseTo(r[i] * r[j], 6);
  });

  it('transforms a centre tap (0 1 0 in the middle) to the outer product of G column 1 (0, .5, -.5, 0)', () => {
    const g = new Float32Array(9 * 4 * 8);
    for (let k = 0; k < 32; k++) g[4 * 32 + k] = 1; // tap (1, 1)
    const u = winogradFilter(g, 4, 8);
    const c = [0, 0.5, -0.5, 0];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(u[(i * 4 + j) * 32 + 5]).toBeCloseTo(c[i] * c[j], 6);
  });

  for (const [shape, co, pad, opts] of [
    [[3, 13, 13, 32], 64, 'valid', { relu: true, bias: true }],
    [[2, 12, 12, 8], 16, 'valid', {}],
    [[2, 9, 8, 4], 8, 'same', { bias: true }],
    [[1, 7, 10, 12], 24, 'same', { relu: true }],
    [[2, 6, 5, 4], 8, 2, { bias: true, relu: true }],
    [[1, 3, 3, 4], 8, 'valid', {}],
  ] as [[number, number, number, number], number, Pad, { relu?: boolean; bias?: boolean }][]) {
    it(`equals the direct convolution up to float32 rounding: ${shape.join('x')} -> ${co}, pad ${pad}, ${JSON.stringify(opts)}`, () => {
      const direct = conv('direct', shape, co, pad, opts);
      const wino = conv('winograd', shape, co, pad, opts);
      expect(wino.length).toBe(direct.length);
      expect(maxAbs(direct)).toBeGreaterThan(0.5);
      // a wrong tile, channel or padding is off by O(1); rounding by ~1e-6 of the values
      expect(maxDiff(wino, direct)).toBeLessThan(2e-5 * maxAbs(direct));
      // and it is a different computation (were it the direct kernel, the bits would match)
      expect(maxDiff(wino, direct)).toBeGreaterThan(0);
    });
  }

  it('leaves the cases it does not take to TensorFlow.js (stride 2; 3 input channels): the same bits', () => {
    expect(conv('winograd', [2, 9, 9, 8], 8, 'same', { stride: 2 })).toEqual(conv('direct', [2, 9, 9, 8], 8, 'same', { stride: 2 }));
    expect(conv('winograd', [2, 9, 9, 3], 8, 'same')).toEqual(conv('direct', [2, 9, 9, 3], 8, 'same'));
  });

  it('frees its scratch: the backend holds no more buffers after repeated calls', () => {
    const backend = tf.backend() as unknown as { numDataIds(): number };
    conv('winograd', [2, 13, 13, 32], 64, 'valid', { relu: true, bias: true });
    const before = backend.numDataIds();
    for (let i = 0; i < 5; i++) conv('winograd', [2, 13, 13, 32], 64, 'valid', { relu: true, bias: true });
    expect(backend.numDataIds()).toBe(before);
  });
});
