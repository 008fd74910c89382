import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { resolveCw, runCw } from './cw';
import { runDeepFool } from './deepfool';
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
  }, 60000);
  afterAll(() => {
    x.dispose();
    task.dispose();
  });

  it("defaults: optimizer 'cosine' with 100 steps and lr 0.2; 'paper' keeps 1000 steps and lr 0.01; c0 = 1e-3, 9 binary-search steps, kappa 0", () => {
    const common = { c0: 1e-3, binarySearchSteps: 9, confidence: 0, abortEarly: true };
    expect(resolveCw({ name: 'cw' })).toMatchObject({ ...common, steps: 100, lr: 0.2 });
    expect(resolveCw({ name: 'cw' }).optimizer).toBeUndefined();
    expect(resolveCw({ name: 'cw', optimizer: 'cosine' }).optimizer).toBeUndefined();
    expect(resolveCw({ name: 'cw', optimizer: 'paper' })).toMatchObject({ ...common, optimizer: 'paper', steps: 1000, lr: 0.01 });
    expect(() => resolveCw({ name: 'cw', optimizer: 'sgd' as 'paper' })).toThrow(/optimizer/);
  });

  it("'paper' reproduces the results recorded before the 'cosine' optimiser existed (commit eeb7052)", async () => {
    // norms.l2 and success of the old runCw, same task, images and options, wasm backend
    const oldUntargeted = [0, 0.43941089510917664, 0.5998032093048096, 0, 0, 0, 0, 0.7166867852210999, 0, 0, 0.617431104183197, 0];
    const oldTargeted = [0, 0, 0.6919642686843872, 0, 0, 0, 0, 0.935653805732727, 0, 0, 0.7830982804298401, 0];
    const o = { name: 'cw', optimizer: 'paper', steps: 30, binarySearchSteps: 4, c0: 0.1 } as const;
    const a = await runCw(task.clf, x, y, o);
    const b = await runCw(task.clf, x, y, { ...o, target: 0, confidence: 1 });
    for (const [r, old] of [
      [a, oldUntargeted],
      [b, oldTargeted],
    ] as const) {
      expect(r.gradientEvaluations).toBe(120);
      for (let i = 0; i < 12; i++) {
        expect(r.norms.l2[i]).toBeCloseTo(old[i], 6);
        expect(r.success[i]).toBe(old[i] > 0 ? 1 : 0);
      }
    }
    tf.dispose([a.adversarial, b.adversarial]);
  });

  it("at 50 steps the default fools every image DeepFool fools, at a mean L2 close to DeepFool's", async () => {
    const df = await runDeepFool(task.clf, x, y, { name: 'deepfool' });
    const cw = await runCw(task.clf, x, y, { name: 'cw', steps: 50 });
    const count = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
    expect(count(df.fooled)).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < 12; i++) if (df.fooled[i]) expect(cw.fooled[i]).toBe(1);
    // on this almost linear MLP DeepFool (overshoot 0.02) is near-minimal: C&W must be close to it
    const both = Array.from(y, (_, i) => i).filter((i) => df.fooled[i] && cw.fooled[i]);
    const mean = (a: Float32Array) => both.reduce((s, i) => s + a[i], 0) / both.length;
    expect(mean(cw.norms.l2)).toBeLessThanOrEqual(1.1 * mean(df.norms.l2));
    tf.dispose([df.adversarial, cw.adversarial]);
  });

  it('leaks no tensors (both optimisers, untargeted and targeted)', async () => {
    const before = tf.memory().numTensors;
    for (const optimizer of ['cosine', 'paper'] as const) {
      const r = await runCw(task.clf, x, y, { name: 'cw', optimizer, steps: 10, binarySearchSteps: 2 });
      r.adversarial.dispose();
      const t = await runCw(task.clf, x, y, { name: 'cw', optimizer, steps: 10, binarySearchSteps: 2, target: 1 });
      t.adversarial.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
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
