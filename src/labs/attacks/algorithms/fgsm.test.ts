import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { classifierOf, linearModel, randomImages } from '../../../core/test-utils';
import { exactSign } from '../../../core/adversarial/common';
import { runFgsm } from './fgsm';

const shape: [number, number, number] = [8, 8, 1];
const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);

describe('FGSM (uniform entry point)', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('matches the closed form on a linear model, untargeted and targeted', async () => {
    const m = linearModel(shape, 3, 7);
    const clf = classifierOf(m);
    const x = randomImages(4, shape, 3);
    const y = [0, 1, 2, 0];
    const eps = 0.05;
    const [W] = m.layers[1].getWeights(); // [64, 3]
    // d CE(z, c) / dx = W (softmax(z) - onehot(c)) for z = W^T x + b
    const closed = (cls: number[], dirSign: number) =>
      tf.tidy(() => {
        const g = tf.matMul(tf.sub(tf.softmax(clf.logits(x)), tf.oneHot(tf.tensor1d(cls, 'int32'), 3)), W, false, true);
        return tf.clipByValue(tf.add(x, tf.mul(exactSign(tf.reshape(g, x.shape)), dirSign * eps)), 0, 1);
      });
    const u = await runFgsm(clf, x, y, { name: 'fgsm', eps });
    const eu = closed(y, 1);
    expect(maxAbs(tf.sub(u.adversarial, eu))).toBeLessThan(1e-6);
    const t = await runFgsm(clf, x, y, { name: 'fgsm', eps, target: 1 });
    const et = closed([1, 1, 1, 1], -1);
    expect(maxAbs(tf.sub(t.adversarial, et))).toBeLessThan(1e-6);
    expect(t.targets).toEqual(Int32Array.from([1, 1, 1, 1]));
    // image 1's target is its true label: never counted as reached
    expect(t.success[1]).toBe(0);
    expect(u.trace).toHaveLength(2);
    expect(u.gradientEvaluations).toBe(1);
    expect(Array.from(u.norms.linf).every((v) => v <= eps + 1e-6)).toBe(true);
    tf.dispose([u.adversarial, eu, t.adversarial, et, x]);
    m.dispose();
  });

  it('moves a pixel whose gradient is tiny but non-zero by the full eps (as PyTorch sign does)', async () => {
    const m = linearModel([1, 1, 2], 2, 1);
    m.layers[1].setWeights([
      tf.tensor2d([
        [0, 1e-8],
        [0, 1],
      ]),
      tf.zeros([2]),
    ]);
    const clf = classifierOf(m);
    const x = tf.tensor4d([0.5, 0.5], [1, 1, 1, 2]);
    const r = await runFgsm(clf, x, [0], { name: 'fgsm', eps: 0.1 });
    // d CE / d x_0 = 1e-8 * p_1 > 0: pixel 0 must move by +eps
    expect(Array.from(r.adversarial.dataSync())[0]).toBeCloseTo(0.6, 6);
    tf.dispose([r.adversarial, x]);
    m.dispose();
  });

  it('least-likely target = the class with the smallest clean logit', async () => {
    const m = linearModel(shape, 5, 2);
    const clf = classifierOf(m);
    const x = randomImages(6, shape, 8);
    const ll = tf.tidy(() => tf.argMin(clf.logits(x), 1).dataSync());
    const r = await runFgsm(clf, x, [0, 1, 2, 3, 4, 0], { name: 'fgsm', eps: 0.1, target: 'least-likely' });
    expect(Array.from(r.targets!)).toEqual(Array.from(ll));
    tf.dispose([r.adversarial, x]);
    m.dispose();
  });

  it('refuses options FGSM does not have', async () => {
    const m = linearModel(shape, 3);
    const clf = classifierOf(m);
    const x = randomImages(1, shape, 1);
    await expect(runFgsm(clf, x, [0], { name: 'fgsm', eps: 2 })).rejects.toThrow(/eps/);
    await expect(runFgsm(clf, x, [0], { name: 'fgsm', eps: 0.1, target: 7 })).rejects.toThrow(/target/);
    await expect(runFgsm(clf, x, [5], { name: 'fgsm', eps: 0.1 })).rejects.toThrow(/label/);
    x.dispose();
    m.dispose();
  });
});
