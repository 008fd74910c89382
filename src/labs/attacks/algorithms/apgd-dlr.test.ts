import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import type { Classifier } from '../../../core/models/classifier';
import { dlrLoss } from '../../../core/adversarial/dlr';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import { AttackCancelled } from '../../../core/adversarial/types';
import { runApgd } from './apgd';
import { resolveApgdDlr, runApgdDlr } from './apgd-dlr';

const count = (u: Uint8Array) => u.reduce((s, v) => s + v, 0);

/** The task's classifier with its logits multiplied by `scale`: same decisions, saturated softmax. */
const scaled = (clf: Classifier, scale: number): Classifier => ({
  ...clf,
  logits: (x) => tf.tidy(() => tf.mul(clf.logits(x), scale) as tf.Tensor2D),
});

describe('APGD-DLR', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(1, { classes: 10 });
  }, 60_000);
  afterAll(() => task.dispose());

  it('fills the AutoAttack defaults and refuses nonsensical options', async () => {
    expect(resolveApgdDlr({ name: 'apgd-dlr', eps: 0.3 })).toEqual({
      name: 'apgd-dlr',
      norm: 'linf',
      eps: 0.3,
      steps: 100,
      restarts: 1,
      randomStart: true,
      seed: 0,
    });
    expect(() => resolveApgdDlr({ name: 'apgd-dlr', eps: -1 })).toThrow(/eps/);
    expect(() => resolveApgdDlr({ name: 'apgd-dlr', eps: 0.1, steps: 0 })).toThrow(/steps/);
    expect(() => resolveApgdDlr({ name: 'apgd-dlr', eps: 0.1, restarts: 1.5 })).toThrow(/restarts/);
    expect(() => resolveApgdDlr({ name: 'apgd-dlr', eps: 0.1, norm: 'l1' as 'l2' })).toThrow(/norm/);
    await expect(runApgdDlr({ ...task.clf, numClasses: 2 }, task.x, [0], { name: 'apgd-dlr', eps: 0.1 })).rejects.toThrow(/3 classes/);
  });

  it('stays inside the eps ball and [0, 1], returns the best-loss point of unbroken images, is deterministic (L-inf and L2)', async () => {
    for (const [norm, eps] of [
      ['linf', 0.1],
      ['l2', 0.5],
    ] as const) {
      const spec = { name: 'apgd-dlr', norm, eps, steps: 10, seed: 4 } as const;
      const r = await runApgdDlr(task.clf, task.x, task.y, spec);
      for (const v of norm === 'linf' ? r.norms.linf : r.norms.l2) expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5) + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(r.gradientEvaluations).toBe(11);
      expect(r.trace).toHaveLength(11);
      expect(count(r.success)).toBeGreaterThan(0);
      expect(r.success).toEqual(r.fooled);
      expect(r.targets).toBeNull();
      const labels = tf.tensor1d(task.y, 'int32');
      const final = tf.tidy(() => dlrLoss(task.clf.logits(r.adversarial), labels).dataSync());
      labels.dispose();
      for (let i = 0; i < task.y.length; i++) if (!r.success[i]) expect(final[i]).toBeGreaterThanOrEqual(r.trace[0].loss[i] - 1e-5);
      const again = await runApgdDlr(task.clf, task.x, task.y, spec);
      expect(await again.adversarial.data()).toEqual(await r.adversarial.data());
      tf.dispose([r.adversarial, again.adversarial]);
    }
  });

  it('is unaffected by scaling the logits, where APGD-CE loses its gradient (the point of DLR)', async () => {
    for (const [norm, eps] of [
      ['linf', 0.1],
      ['l2', 0.5],
    ] as const) {
      const plain = await runApgdDlr(task.clf, task.x, task.y, { name: 'apgd-dlr', norm, eps, steps: 10 });
      const big = scaled(task.clf, 100);
      const dlr = await runApgdDlr(big, task.x, task.y, { name: 'apgd-dlr', norm, eps, steps: 10 });
      const ce = await runApgd(big, task.x, task.y, { name: 'apgd-ce', norm, eps, steps: 10 });
      expect(count(dlr.success)).toBe(count(plain.success));
      expect(count(dlr.success)).toBeGreaterThan(count(ce.success) + 5);
      tf.dispose([plain.adversarial, dlr.adversarial, ce.adversarial]);
    }
  });

  it('leaks no tensors and stops on cancellation with everything freed', async () => {
    const run = async () =>
      (await runApgdDlr(task.clf, task.x, task.y, { name: 'apgd-dlr', eps: 0.1, steps: 5, restarts: 2 })).adversarial.dispose();
    await run();
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
    const ctl = new AbortController();
    await expect(
      runApgdDlr(
        task.clf,
        task.x,
        task.y,
        { name: 'apgd-dlr', eps: 0.1, steps: 50 },
        { signal: ctl.signal, onStep: (r) => r.step === 3 && ctl.abort() },
      ),
    ).rejects.toThrow(AttackCancelled);
    expect(tf.memory().numTensors).toBe(before);
  });
});
