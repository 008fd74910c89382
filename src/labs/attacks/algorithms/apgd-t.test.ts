import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import type { Classifier } from '../../../core/models/classifier';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import { AttackCancelled } from '../../../core/adversarial/types';
import { resolveApgdT, runApgdT } from './apgd-t';
import { runPgd } from './pgd';

const count = (u: Uint8Array) => u.reduce((s, v) => s + v, 0);

describe('APGD-T', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(1, { classes: 10 });
  }, 60_000);
  afterAll(() => task.dispose());

  it('fills the AutoAttack defaults and refuses nonsensical options', async () => {
    expect(resolveApgdT({ name: 'apgd-t', eps: 0.3 })).toEqual({
      name: 'apgd-t',
      norm: 'linf',
      eps: 0.3,
      steps: 100,
      restarts: 1,
      targetClasses: 9,
      randomStart: true,
      seed: 0,
    });
    expect(() => resolveApgdT({ name: 'apgd-t', eps: 2 })).toThrow(/eps/);
    expect(() => resolveApgdT({ name: 'apgd-t', eps: 0.1, targetClasses: 0 })).toThrow(/targetClasses/);
    expect(() => resolveApgdT({ name: 'apgd-t', eps: 0.1, steps: 2.5 })).toThrow(/steps/);
    await expect(runApgdT({ ...task.clf, numClasses: 3 }, task.x, [0], { name: 'apgd-t', eps: 0.1 })).rejects.toThrow(/4 classes/);
  });

  it('targets the classes ranked 2nd, 3rd, ... by the clean logits, one run each on the images still robust', async () => {
    // without a random start, the first iterate of every run is x itself: its loss is DLR_T with that run's target
    const steps = 4;
    const r = await runApgdT(task.clf, task.x, task.y, { name: 'apgd-t', eps: 0.1, steps, randomStart: false });
    const n = task.y.length;
    const k = 10;
    const z = tf.tidy(() => task.clf.logits(task.x).dataSync());
    const runs = [...new Set(r.trace.map((t) => t.restart))];
    expect(runs).toEqual(runs.map((_, i) => i));
    expect(runs.length).toBeLessThanOrEqual(9);
    let alive = Array.from({ length: n }, () => true);
    for (const run of runs) {
      const records = r.trace.filter((t) => t.restart === run);
      expect(records).toHaveLength(steps + 1);
      const first = records[0].loss;
      for (let i = 0; i < n; i++) {
        expect(Number.isNaN(first[i])).toBe(!alive[i]);
        if (!alive[i]) continue;
        const row = Array.from(z.subarray(i * k, (i + 1) * k));
        const sorted = [...row].sort((a, b) => b - a);
        const target = row.indexOf(sorted[run + 1]);
        const expected = -(row[task.y[i]] - row[target]) / (sorted[0] - (sorted[2] + sorted[3]) / 2 + 1e-12);
        expect(first[i]).toBeCloseTo(expected, 4);
      }
      // an image leaves the later runs once one of its iterates is misclassified
      alive = alive.map((a, i) => a && !records.some((t) => t.margin[i] < 0));
    }
    for (let i = 0; i < n; i++) {
      expect(r.success[i]).toBe(alive[i] ? 0 : 1);
      // clean pass, N_iter + 1 per run taken part in, final pass
      if (alive[i]) expect(r.queries[i]).toBe(2 + runs.length * (steps + 1));
    }
    expect(r.gradientEvaluations).toBe(runs.length * (steps + 1));
    r.adversarial.dispose();
  });

  it('stays inside the eps ball and [0, 1]; more targets never break fewer images; at least as strong as PGD (L-inf and L2)', async () => {
    let gained = 0;
    for (const [norm, eps] of [
      ['linf', 0.1],
      ['l2', 0.5],
    ] as const) {
      const steps = 10;
      const all = await runApgdT(task.clf, task.x, task.y, { name: 'apgd-t', norm, eps, steps, seed: 0 });
      const one = await runApgdT(task.clf, task.x, task.y, { name: 'apgd-t', norm, eps, steps, seed: 0, targetClasses: 1 });
      const pgd = await runPgd(task.clf, task.x, task.y, {
        name: 'pgd',
        norm,
        eps,
        steps,
        stepSize: norm === 'linf' ? eps / 4 : undefined,
        seed: 0,
      });
      for (const v of norm === 'linf' ? all.norms.linf : all.norms.l2) expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5) + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(all.adversarial).dataSync()[0], tf.max(all.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      expect(all.success).toEqual(all.fooled);
      expect(all.targets).toBeNull();
      // the first run of the 9-target attack is the 1-target attack (same seed): it can only add images
      for (let i = 0; i < task.y.length; i++) if (one.success[i]) expect(all.success[i]).toBe(1);
      gained += count(all.success) - count(one.success);
      expect(count(all.success)).toBeGreaterThanOrEqual(count(pgd.success));
      tf.dispose([all.adversarial, one.adversarial, pgd.adversarial]);
    }
    expect(gained).toBeGreaterThan(0);
  });

  it('leaves misclassified images alone and is unaffected by scaling the logits', async () => {
    const y = Int32Array.from(task.y);
    y[0] = (y[0] + 1) % 10;
    const spec = { name: 'apgd-t', eps: 0.1, steps: 10 } as const;
    const plain = await runApgdT(task.clf, task.x, y, spec);
    expect(plain.success[0]).toBe(1);
    expect(plain.norms.linf[0]).toBe(0);
    expect(plain.queries[0]).toBe(2);
    const big: Classifier = { ...task.clf, logits: (x) => tf.tidy(() => tf.mul(task.clf.logits(x), 100) as tf.Tensor2D) };
    const scaled = await runApgdT(big, task.x, y, spec);
    expect(count(scaled.success)).toBe(count(plain.success));
    tf.dispose([plain.adversarial, scaled.adversarial]);
  });

  it('leaks no tensors and stops on cancellation with everything freed', async () => {
    const run = async () =>
      (
        await runApgdT(task.clf, task.x, task.y, { name: 'apgd-t', eps: 0.1, steps: 3, targetClasses: 3, restarts: 2 })
      ).adversarial.dispose();
    await run();
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
    const ctl = new AbortController();
    await expect(
      runApgdT(
        task.clf,
        task.x,
        task.y,
        { name: 'apgd-t', eps: 0.1, steps: 10 },
        { signal: ctl.signal, onStep: (r) => r.step === 15 && ctl.abort() },
      ),
    ).rejects.toThrow(AttackCancelled);
    expect(tf.memory().numTensors).toBe(before);
  });
});
