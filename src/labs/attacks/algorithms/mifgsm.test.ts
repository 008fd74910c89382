import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { runBim } from './bim';
import { mifgsmDefaultStepSize, resolveMifgsm, runMifgsm } from './mifgsm';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);

describe('MI-FGSM', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(4);
  }, 60000);
  afterAll(() => task.dispose());

  it("defaults to Dong et al.'s T = 10, alpha = eps / T, mu = 1", () => {
    expect(resolveMifgsm({ name: 'mifgsm', eps: 0.3 })).toMatchObject({ steps: 10, momentum: 1, norm: 'linf' });
    expect(resolveMifgsm({ name: 'mifgsm', eps: 0.3 }).stepSize).toBeCloseTo(0.03, 12);
    // alpha = eps / T for any T and norm when only the steps are given
    expect(resolveMifgsm({ name: 'mifgsm', eps: 0.3, steps: 20 }).stepSize).toBe(mifgsmDefaultStepSize(0.3, 20));
    expect(mifgsmDefaultStepSize(0.3, 20)).toBeCloseTo(0.015, 12);
    expect(resolveMifgsm({ name: 'mifgsm', norm: 'l2', eps: 2, steps: 5 }).stepSize).toBeCloseTo(0.4, 12);
    expect(resolveMifgsm({ name: 'mifgsm', eps: 0.3, steps: 20, stepSize: 0.05 }).stepSize).toBe(0.05);
  });

  it('with mu = 0 it is exactly BIM with the same step (sign of g/||g||_1 = sign of g); with mu = 1 it differs', async () => {
    const o = { eps: 0.1, steps: 6, stepSize: 0.02 };
    const a = await runMifgsm(task.clf, task.x, task.y, { name: 'mifgsm', momentum: 0, ...o });
    const b = await runBim(task.clf, task.x, task.y, { name: 'bim', ...o });
    const c = await runMifgsm(task.clf, task.x, task.y, { name: 'mifgsm', momentum: 1, ...o });
    expect(maxAbs(tf.sub(a.adversarial, b.adversarial))).toBe(0);
    expect(maxAbs(tf.sub(a.adversarial, c.adversarial))).toBeGreaterThan(0);
    tf.dispose([a.adversarial, b.adversarial, c.adversarial]);
  });

  it('stays inside the ball and [0, 1] for L-inf and L2, and fools the model at a large eps', async () => {
    for (const [norm, eps] of [
      ['linf', 0.15],
      ['l2', 1.0],
    ] as const) {
      const r = await runMifgsm(task.clf, task.x, task.y, { name: 'mifgsm', norm, eps });
      const size = norm === 'linf' ? r.norms.linf : r.norms.l2;
      for (const v of size) expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5) + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(r.success.reduce((s, v) => s + v, 0)).toBeGreaterThan(task.y.length / 2);
      r.adversarial.dispose();
    }
  });
});
