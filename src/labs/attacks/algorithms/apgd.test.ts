import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { apgdCheckpoints, runApgd } from './apgd';
import { runPgd } from './pgd';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';

describe('APGD-CE', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(1);
  });
  afterAll(() => task.dispose());

  it('checkpoints follow p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06)', () => {
    expect(apgdCheckpoints(100)).toEqual([22, 41, 57, 70, 80, 87, 93, 99]);
    expect(apgdCheckpoints(1000)).toEqual([220, 410, 570, 700, 800, 870, 930, 990]);
    expect(apgdCheckpoints(10)).toEqual([3, 5, 6, 7, 8, 9, 10]);
    expect(apgdCheckpoints(1)).toEqual([1]);
  });

  it('stays inside the eps ball and [0, 1] (L-inf and L2)', async () => {
    for (const [norm, eps] of [
      ['linf', 0.1],
      ['l2', 0.5],
    ] as const) {
      const r = await runApgd(task.clf, task.x, task.y, { name: 'apgd-ce', norm, eps, steps: 12, seed: 3 });
      for (const v of norm === 'linf' ? r.norms.linf : r.norms.l2) expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5) + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(r.gradientEvaluations).toBe(13);
      expect(r.trace).toHaveLength(13);
      r.adversarial.dispose();
    }
  });

  it('is at least as strong as PGD with the same number of steps (L-inf and L2)', async () => {
    for (const [norm, eps] of [
      ['linf', 0.1],
      ['l2', 0.5],
    ] as const) {
      const steps = 10;
      const a = await runApgd(task.clf, task.x, task.y, { name: 'apgd-ce', norm, eps, steps, seed: 0 });
      const p = await runPgd(task.clf, task.x, task.y, {
        name: 'pgd',
        norm,
        eps,
        steps,
        stepSize: norm === 'linf' ? eps / 4 : undefined,
        seed: 0,
      });
      const count = (u: Uint8Array) => u.reduce((s, v) => s + v, 0);
      expect(count(a.success)).toBeGreaterThanOrEqual(count(p.success));
      expect(count(a.success)).toBeGreaterThan(0);
      // the returned point of an unbroken image is the best-loss iterate: its loss is >= the start's
      const last = a.trace[0].loss;
      const final = tf.tidy(() => {
        const z = task.clf.logits(a.adversarial);
        return tf.neg(tf.sum(tf.mul(tf.logSoftmax(z), tf.oneHot(tf.tensor1d(task.y, 'int32'), 4)), 1)).dataSync();
      });
      for (let i = 0; i < task.y.length; i++) if (!a.success[i]) expect(final[i]).toBeGreaterThanOrEqual(last[i] - 1e-5);
      tf.dispose([a.adversarial, p.adversarial]);
    }
  });
});
