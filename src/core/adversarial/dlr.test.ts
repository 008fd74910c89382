import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../engine/node-backend';
import { dlrLoss, dlrLossTargeted } from './dlr';

const values = async (t: tf.Tensor) => {
  const v = Array.from(await t.data());
  t.dispose();
  return v;
};

describe('DLR loss', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('untargeted: known answers on hand-made logits', async () => {
    // row 0: z = [1, 4, 2, 3], y = 1 (correct): -(4 - 3) / (4 - 2) = -0.5
    // row 1: same z, y = 0 (misclassified): -(1 - 4) / (4 - 2) = 1.5
    // row 2: z = [0, 0, 5, -1], y = 2: sorted 5, 0, 0, -1: -(5 - 0) / (5 - 0) = -1
    // row 3: z = [2, 2, 2, 0], y = 0 (tie at the top): -(2 - 2) / (2 - 2 + 1e-12) = 0
    const z = tf.tensor2d([1, 4, 2, 3, 1, 4, 2, 3, 0, 0, 5, -1, 2, 2, 2, 0], [4, 4]);
    const y = tf.tensor1d([1, 0, 2, 0], 'int32');
    const got = await values(dlrLoss(z, y));
    expect(got[0]).toBeCloseTo(-0.5, 6);
    expect(got[1]).toBeCloseTo(1.5, 6);
    expect(got[2]).toBeCloseTo(-1, 6);
    expect(got[3]).toBeCloseTo(0, 6);
    tf.dispose([z, y]);
  });

  it('targeted: known answers on hand-made logits', async () => {
    // z = [1, 4, 2, 3], sorted 4, 3, 2, 1: denominator 4 - (2 + 1) / 2 = 2.5
    //   y = 1, t = 0: -(4 - 1) / 2.5 = -1.2;   y = 1, t = 3: -(4 - 3) / 2.5 = -0.4
    //   y = 0, t = 1 (already the target): -(1 - 4) / 2.5 = 1.2
    // z = [10, 0, 6, 2, 4], sorted 10, 6, 4, 2, 0: denominator 10 - 3 = 7; y = 0, t = 2: -(10 - 6) / 7
    const z = tf.tensor2d([1, 4, 2, 3, 1, 4, 2, 3, 1, 4, 2, 3], [3, 4]);
    const y = tf.tensor1d([1, 1, 0], 'int32');
    const t = tf.tensor1d([0, 3, 1], 'int32');
    const got = await values(dlrLossTargeted(z, y, t));
    expect(got[0]).toBeCloseTo(-1.2, 6);
    expect(got[1]).toBeCloseTo(-0.4, 6);
    expect(got[2]).toBeCloseTo(1.2, 6);
    const z5 = tf.tensor2d([[10, 0, 6, 2, 4]]);
    const [y5, t5] = [tf.tensor1d([0], 'int32'), tf.tensor1d([2], 'int32')];
    expect((await values(dlrLossTargeted(z5, y5, t5)))[0]).toBeCloseTo(-4 / 7, 6);
    tf.dispose([z, y, t, z5, y5, t5]);
  });

  it('is invariant to shifting and positive scaling of the logits', async () => {
    const z = tf.tensor2d([[0.3, -1.2, 2.5, 0.9, -0.1]]);
    const zz = tf.tidy(() => tf.add(tf.mul(z, 7), 3) as tf.Tensor2D);
    const [y, t] = [tf.tensor1d([2], 'int32'), tf.tensor1d([3], 'int32')];
    expect((await values(dlrLoss(zz, y)))[0]).toBeCloseTo((await values(dlrLoss(z, y)))[0], 5);
    expect((await values(dlrLossTargeted(zz, y, t)))[0]).toBeCloseTo((await values(dlrLossTargeted(z, y, t)))[0], 5);
    tf.dispose([z, zz, y, t]);
  });

  it('gradient with respect to the logits: analytic values', async () => {
    // z = [1, 4, 2, 3], y = 1: L = -(z1 - z3) / (z1 - z2); D = 2, N = 1
    // dL/dz1 = -1/D + N/D^2 = -0.25; dL/dz3 = 1/D = 0.5; dL/dz2 = -N/D^2 = -0.25; dL/dz0 = 0
    const z = tf.tensor2d([[1, 4, 2, 3]]);
    const y = tf.tensor1d([1], 'int32');
    const g = tf.grad((zz: tf.Tensor) => tf.sum(dlrLoss(zz as tf.Tensor2D, y)))(z);
    const got = await values(g);
    [0, -0.25, -0.25, 0.5].forEach((v, i) => expect(got[i]).toBeCloseTo(v, 6));
    // targeted, y = 1, t = 0: L = -(z1 - z0) / (z1 - (z2 + z0) / 2); N = 3, D = 2.5
    // dL/dz0 = 1/D - N/(2 D^2) = 0.16; dL/dz1 = -1/D + N/D^2 = 0.08; dL/dz2 = -N/(2 D^2) = -0.24; dL/dz3 = 0
    const t = tf.tensor1d([0], 'int32');
    const gt = await values(tf.grad((zz: tf.Tensor) => tf.sum(dlrLossTargeted(zz as tf.Tensor2D, y, t)))(z));
    [0.16, 0.08, -0.24, 0].forEach((v, i) => expect(gt[i]).toBeCloseTo(v, 6));
    tf.dispose([z, y, t]);
  });

  it('refuses too few classes and leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const z = tf.tensor2d([[1, 2, 3]]);
    const y = tf.tensor1d([0], 'int32');
    expect(() => dlrLossTargeted(z, y, y)).toThrow(/4 classes/);
    dlrLoss(z, y).dispose();
    tf.dispose([z, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
