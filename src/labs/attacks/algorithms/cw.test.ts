import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { resolveCw, runCw } from './cw';
import { runPgd } from './pgd';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';

describe('Carlini-Wagner L2', () => {
  let task: TinyTask;
  let x: tf.Tensor4D;
  let y: Int32Array;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(2);
    x = tf.slice(task.x, [0, 0, 0, 0], [12, -1, -1, -1]);
    y = task.y.slice(0, 12);
  });
  afterAll(() => {
    x.dispose();
    task.dispose();
  });

  it('defaults: c0 = 1e-3, 9 binary-search steps, lr 0.01, kappa 0', () => {
    expect(resolveCw({ name: 'cw' })).toMatchObject({
      c0: 1e-3,
      binarySearchSteps: 9,
      lr: 0.01,
      confidence: 0,
      steps: 1000,
      abortEarly: true,
    });
  });

  it('finds a smaller mean L2 than PGD-L2 at equal success, inside [0, 1]', async () => {
    const cw = await runCw(task.clf, x, y, { name: 'cw', steps: 60, binarySearchSteps: 5, c0: 0.1 });
    const pgd = await runPgd(task.clf, x, y, { name: 'pgd', norm: 'l2', eps: 3, steps: 20, seed: 0 });
    const both = Array.from(y, (_, i) => i).filter((i) => cw.success[i] && pgd.success[i]);
    expect(both.length).toBeGreaterThanOrEqual(10);
    const mean = (a: Float32Array) => both.reduce((s, i) => s + a[i], 0) / both.length;
    expect(mean(cw.norms.l2)).toBeLessThan(0.7 * mean(pgd.norms.l2));
    for (let i = 0; i < 12; i++) expect(cw.fooled[i]).toBe(cw.success[i]);
    const [lo, hi] = tf.tidy(() => [tf.min(cw.adversarial).dataSync()[0], tf.max(cw.adversarial).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    tf.dispose([cw.adversarial, pgd.adversarial]);
  });

  it('a larger confidence kappa buys a larger logit margin at a larger norm; failures return x', async () => {
    const a = await runCw(task.clf, x, y, { name: 'cw', steps: 50, binarySearchSteps: 4, c0: 1 });
    const b = await runCw(task.clf, x, y, { name: 'cw', steps: 50, binarySearchSteps: 4, c0: 1, confidence: 2 });
    const marginOf = (adv: tf.Tensor4D) =>
      tf.tidy(() => {
        const z = task.clf.logits(adv).arraySync() as number[][];
        return z.map((row, i) => Math.max(...row.filter((_, c) => c !== y[i])) - row[y[i]]);
      });
    const ma = marginOf(a.adversarial);
    const mb = marginOf(b.adversarial);
    for (let i = 0; i < 12; i++) {
      if (b.success[i]) expect(mb[i]).toBeGreaterThanOrEqual(2 - 1e-3);
      if (a.success[i] && b.success[i]) expect(b.norms.l2[i]).toBeGreaterThan(a.norms.l2[i] - 1e-4);
      if (!a.success[i]) expect(a.norms.l2[i]).toBe(0);
    }
    expect(ma.length).toBe(12);
    tf.dispose([a.adversarial, b.adversarial]);
  });

  it('targeted: success means classified as the target', async () => {
    const r = await runCw(task.clf, x, y, { name: 'cw', steps: 50, binarySearchSteps: 5, c0: 1, target: 0 });
    for (let i = 0; i < 12; i++) expect(r.success[i]).toBe(r.predictions[i] === 0 && y[i] !== 0 ? 1 : 0);
    expect(r.success.some((v) => v === 1)).toBe(true);
    r.adversarial.dispose();
  });
});
