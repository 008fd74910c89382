import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import { AttackCancelled, type Norm } from '../../../core/adversarial/types';
import { runApgd } from './apgd';
import { runApgdT } from './apgd-t';
import { runFab } from './fab';
import { runSquare } from './square';
import { resolveAutoAttack, runAutoAttack, runAutoAttackStages, standardStages, type AutoAttackStage } from './autoattack';

const count = (u: Uint8Array) => u.reduce((s, v) => s + v, 0);

/** The standard stages with small budgets (the tests' time), same order and kinds. */
const quick = (norm: Norm, eps: number): AutoAttackStage[] => [
  { name: 'apgd-ce', run: (c, x, y, h) => runApgd(c, x, y, { name: 'apgd-ce', norm, eps, steps: 10 }, h) },
  { name: 'apgd-t', run: (c, x, y, h) => runApgdT(c, x, y, { name: 'apgd-t', norm, eps, steps: 10, targetClasses: 3 }, h) },
  { name: 'fab-t', run: (c, x, y, h) => runFab(c, x, y, { name: 'fab-t', norm, eps, steps: 10, targetClasses: 3 }, h) },
  { name: 'square', run: (c, x, y, h) => runSquare(c, x, y, { name: 'square', norm, eps, queries: 200 }, h) },
];

describe('AutoAttack (standard)', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(1, { classes: 10 });
  }, 60_000);
  afterAll(() => task.dispose());

  it('fills the defaults, refuses nonsensical options, and lists the standard stages in order', () => {
    const s = resolveAutoAttack({ name: 'autoattack', eps: 0.3 });
    expect(s).toEqual({ name: 'autoattack', norm: 'linf', eps: 0.3, version: 'standard', seed: 0 });
    expect(standardStages(s).map((st) => st.name)).toEqual(['apgd-ce', 'apgd-t', 'fab-t', 'square']);
    expect(() => resolveAutoAttack({ name: 'autoattack', eps: -0.1 })).toThrow(/eps/);
    expect(() => resolveAutoAttack({ name: 'autoattack', eps: 0.1, version: 'plus' as 'standard' })).toThrow(/version/);
    expect(() => resolveAutoAttack({ name: 'autoattack', eps: 0.1, norm: 'l0' as 'l2' })).toThrow(/norm/);
  });

  it('counts add up, perturbations stay in the ball and [0, 1], never more robust than any stage alone (L-inf and L2)', async () => {
    for (const [norm, eps] of [
      ['linf', 0.08],
      ['l2', 0.4],
    ] as const) {
      const n = task.y.length;
      const stages = quick(norm, eps);
      const aa = await runAutoAttackStages(task.clf, task.x, task.y, stages);
      const report = aa.stages!;
      expect(report.map((r) => r.stage)).toEqual(stages.map((s) => s.name));
      // the task keeps only correctly classified images: every image is attacked by the first stage
      expect(report[0].attacked).toBe(n);
      for (const [i, r] of report.entries()) {
        expect(r.robustAfter).toBe(r.attacked - r.fooled);
        if (i > 0) expect(r.attacked).toBe(report[i - 1].robustAfter);
        expect(r.seconds).toBeGreaterThan(0);
      }
      const robust = n - count(aa.success);
      expect(robust).toBe(report[report.length - 1].robustAfter);
      expect(report.reduce((s, r) => s + r.fooled, 0)).toBe(count(aa.success));
      expect(aa.fooled).toEqual(aa.success);
      expect(report[1].fooled).toBeGreaterThan(0);
      for (const v of norm === 'linf' ? aa.norms.linf : aa.norms.l2) expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5) + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(aa.adversarial).dataSync()[0], tf.max(aa.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      for (const s of stages) {
        const alone = await s.run(task.clf, task.x, task.y, {});
        expect(robust).toBeLessThanOrEqual(n - count(alone.fooled));
        alone.adversarial.dispose();
      }
      // the trace: each stage's records widened to the batch, images outside the stage NaN
      expect(aa.trace.length).toBeGreaterThan(0);
      aa.trace.forEach((t, i) => {
        expect(t.step).toBe(i);
        expect(t.loss).toHaveLength(n);
      });
      expect(aa.trace[aa.trace.length - 1].restart).toBe(stages.length - 1);
      for (const [index, r] of report.entries()) {
        const first = aa.trace.find((t) => t.restart === index)!;
        expect(first.loss.filter((v) => !Number.isNaN(v))).toHaveLength(r.attacked);
      }
      aa.adversarial.dispose();
    }
  });

  it('leaves misclassified images alone and counts queries per image', async () => {
    const y = Int32Array.from(task.y);
    y[0] = (y[0] + 1) % 10;
    const aa = await runAutoAttackStages(task.clf, task.x, y, quick('linf', 0.08));
    expect(aa.success[0]).toBe(1);
    expect(aa.norms.linf[0]).toBe(0);
    expect(aa.queries[0]).toBe(2);
    expect(aa.stages![0].attacked).toBe(task.y.length - 1);
    // an image robust to the end took part in every stage: clean pass + the stages' counts + final pass
    const i = aa.success.indexOf(0);
    expect(i).toBeGreaterThan(0);
    expect(aa.queries[i]).toBeGreaterThan(2 + 11 + 3 * 11 + 200);
    aa.adversarial.dispose();
  });

  it('runs the standard version end to end (4 images, L-inf)', async () => {
    const x = tf.tidy(() => task.x.slice([0, 0, 0, 0], [4, 8, 8, 1]));
    const aa = await runAutoAttack(task.clf, x, task.y.slice(0, 4), { name: 'autoattack', eps: 0.05 });
    const report = aa.stages!;
    expect(report[0]).toMatchObject({ stage: 'apgd-ce', attacked: 4 });
    expect(4 - count(aa.success)).toBe(report[report.length - 1].robustAfter);
    for (const v of aa.norms.linf) expect(v).toBeLessThanOrEqual(0.05 + 1e-6);
    // an image robust to the end went through every stage: Square spends its 5000 queries on it
    for (let i = 0; i < 4; i++) if (!aa.success[i]) expect(aa.queries[i]).toBeGreaterThan(5000 + 101 + 9 * 101);
    tf.dispose([x, aa.adversarial]);
  }, 180_000);

  it('leaks no tensors and stops on cancellation with everything freed', async () => {
    const stages = quick('linf', 0.08);
    const run = async () => (await runAutoAttackStages(task.clf, task.x, task.y, stages)).adversarial.dispose();
    await run();
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
    // cancel inside the second stage
    const ctl = new AbortController();
    await expect(
      runAutoAttackStages(task.clf, task.x, task.y, stages, { signal: ctl.signal, onStep: (r) => r.restart === 1 && ctl.abort() }),
    ).rejects.toThrow(AttackCancelled);
    expect(tf.memory().numTensors).toBe(before);
  });
});
