import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { buildModel } from '../../../core/models/architectures';
import { classifierOf, linearModel, randomImages } from '../../../core/test-utils';
import { runFgsm } from './fgsm';
import { runPgd } from './pgd';
import { AttackCancelled, type AttackHooks } from '../../../core/adversarial/types';
import type { PgdSpec } from './pgd';

const pgd = (clf: Parameters<typeof runPgd>[0], x: tf.Tensor4D, y: number[], spec: Omit<PgdSpec, 'name'>, hooks?: AttackHooks) =>
  runPgd(clf, x, y, { name: 'pgd', ...spec }, { keepTrace: false, ...hooks });

const shape: [number, number, number] = [8, 8, 1];

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

describe('FGSM and PGD (L-inf)', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  it('FGSM equals the closed form on a linear model: x + eps * sign(w_other - w_true) summed by softmax weights', async () => {
    // For a linear model z = Wx + b, d CE / dx = W^T (softmax(z) - onehot(y)); FGSM moves each pixel
    // by eps in the sign of that vector (then clips to [0,1]).
    const m = linearModel(shape, 3, 7);
    const clf = classifierOf(m);
    const x = randomImages(4, shape, 3);
    const y = [0, 1, 2, 0];
    const eps = 0.05;
    const r = await runFgsm(clf, x, y, { name: 'fgsm', eps, seed: 0 });
    const [W] = m.layers[1].getWeights(); // [64, 3]
    const expected = tf.tidy(() => {
      const z = clf.logits(x);
      const g = tf.matMul(tf.sub(tf.softmax(z), tf.oneHot(tf.tensor1d(y, 'int32'), 3)), W, false, true); // [4, 64]
      return tf.clipByValue(tf.add(x, tf.mul(tf.sign(tf.reshape(g, x.shape)), eps)), 0, 1);
    });
    expect(maxAbs(tf.sub(r.adversarial, expected))).toBeLessThan(1e-6);
    tf.dispose([r.adversarial, expected, x]);
    m.dispose();
  });

  it('keeps every pixel inside the eps ball and [0, 1], with and without random start and restarts', async () => {
    const m = buildModel('cnn-small', [28, 28, 1], 10, 3);
    const clf = classifierOf(m);
    const x = randomImages(6, [28, 28, 1], 5);
    const y = [0, 1, 2, 3, 4, 5];
    for (const o of [
      { eps: 0.3, steps: 5, stepSize: 0.1, randomStart: true, restarts: 2 },
      { eps: 0.05, steps: 3, stepSize: 0.5, randomStart: false, restarts: 1 },
      { eps: 0, steps: 2, stepSize: 0.1, randomStart: true, restarts: 1 },
    ]) {
      const r = await pgd(clf, x, y, { norm: 'linf', seed: 1, ...o });
      const d = tf.tidy(() => tf.sub(r.adversarial, x));
      expect(maxAbs(d)).toBeLessThanOrEqual(o.eps + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      tf.dispose([r.adversarial, d]);
    }
    x.dispose();
    m.dispose();
  });

  it('repeats exactly for a seed, differs for another seed, and raises the loss', async () => {
    const m = buildModel('cnn-small', [28, 28, 1], 10, 4);
    const clf = classifierOf(m);
    const x = randomImages(4, [28, 28, 1], 9);
    const y = [3, 1, 4, 1];
    const losses: number[] = [];
    const o = { norm: 'linf' as const, eps: 0.1, steps: 6, stepSize: 0.02, randomStart: true, restarts: 1, seed: 11 };
    const mean = (v: Float32Array) => v.reduce((s, e) => s + e, 0) / v.length;
    const a = await pgd(clf, x, y, o, { onStep: (r) => r.step > 0 && losses.push(mean(r.loss)) });
    const b = await pgd(clf, x, y, o);
    const c = await pgd(clf, x, y, { ...o, seed: 12 });
    expect(maxAbs(tf.sub(a.adversarial, b.adversarial))).toBe(0);
    expect(maxAbs(tf.sub(a.adversarial, c.adversarial))).toBeGreaterThan(0);
    expect(losses).toHaveLength(6);
    expect(losses[5]).toBeGreaterThan(losses[0]);
    tf.dispose([a.adversarial, b.adversarial, c.adversarial, x]);
    m.dispose();
  });

  it('reports success exactly when the prediction on the adversarial image is wrong', async () => {
    const m = buildModel('cnn-small', [28, 28, 1], 10, 5);
    const clf = classifierOf(m);
    const x = randomImages(8, [28, 28, 1], 2);
    const y = Array.from(tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync()));
    const r = await pgd(clf, x, y, { norm: 'linf', eps: 0.3, steps: 10, stepSize: 0.05, randomStart: true, restarts: 1, seed: 0 });
    const advPred = tf.tidy(() => tf.argMax(clf.logits(r.adversarial), 1).dataSync());
    for (let i = 0; i < 8; i++) expect(r.success[i]).toBe(advPred[i] !== y[i] ? 1 : 0);
    expect(r.success.some((s) => s === 1)).toBe(true);
    tf.dispose([r.adversarial, x]);
    m.dispose();
  });

  it('frees every tensor across repeated runs and when cancelled', async () => {
    const m = buildModel('cnn-small', [28, 28, 1], 10, 6);
    const clf = classifierOf(m);
    const x = randomImages(3, [28, 28, 1], 4);
    const run = async () =>
      (
        await pgd(clf, x, [1, 2, 3], {
          norm: 'linf',
          eps: 0.1,
          steps: 3,
          stepSize: 0.03,
          randomStart: true,
          restarts: 2,
          seed: 1,
        })
      ).adversarial.dispose();
    await run();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await run();
    expect(tf.memory().numTensors).toBe(before);
    const ctl = new AbortController();
    await expect(
      pgd(
        clf,
        x,
        [1, 2, 3],
        { norm: 'linf', eps: 0.1, steps: 50, stepSize: 0.01, randomStart: false, restarts: 1, seed: 0 },
        { signal: ctl.signal, onStep: (r) => r.step === 2 && ctl.abort() },
      ),
    ).rejects.toThrow(AttackCancelled);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    m.dispose();
  });

  it('refuses nonsensical options', async () => {
    const m = linearModel(shape, 3);
    const clf = classifierOf(m);
    const x = randomImages(1, shape, 1);
    const base = { norm: 'linf' as const, eps: 0.1, steps: 1, stepSize: 0.1, randomStart: false, restarts: 1, seed: 0 };
    await expect(pgd(clf, x, [0], { ...base, eps: -1 })).rejects.toThrow(/eps/);
    await expect(pgd(clf, x, [0], { ...base, steps: 0 })).rejects.toThrow(/steps/);
    await expect(pgd(clf, x, [0], { ...base, stepSize: NaN })).rejects.toThrow(/step size/);
    await expect(pgd(clf, x, [0], { ...base, norm: 'l1' as 'l2' })).rejects.toThrow(/norm/);
    x.dispose();
    m.dispose();
  });
});
