import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import { buildModel } from '../../../core/models/architectures';
import { classifierOf, randomImages } from '../../../core/test-utils';
import { randomStart } from '../../../core/adversarial/common';
import { runFgsm } from './fgsm';
import { resolvePgd, runPgd } from './pgd';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';

const maxAbs = (t: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);

describe('PGD through the uniform entry point (L-inf and L2, targeted)', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(3);
  });
  afterAll(() => task.dispose());

  it('L-inf: one step of eps from the clean image is FGSM', async () => {
    const o = { eps: 0.1, seed: 5 };
    const a = await runFgsm(task.clf, task.x, task.y, { name: 'fgsm', ...o });
    const b = await runPgd(task.clf, task.x, task.y, { name: 'pgd', norm: 'linf', steps: 1, stepSize: 0.1, randomStart: false, ...o });
    expect(maxAbs(tf.sub(a.adversarial, b.adversarial))).toBe(0);
    expect(Array.from(a.success)).toEqual(Array.from(b.success));
    tf.dispose([a.adversarial, b.adversarial]);
  });

  it('L2: every image stays inside the L2 ball and [0, 1], with and without random start and restarts', async () => {
    for (const o of [
      { eps: 0.5, steps: 5, stepSize: 0.3, randomStart: true, restarts: 2 },
      { eps: 2, steps: 3, stepSize: 1.5, randomStart: false, restarts: 1 },
      { eps: 0, steps: 2, stepSize: 0.1, randomStart: true, restarts: 1 },
    ]) {
      const r = await runPgd(task.clf, task.x, task.y, { name: 'pgd', norm: 'l2', seed: 1, ...o });
      for (const v of r.norms.l2) expect(v).toBeLessThanOrEqual(o.eps * (1 + 1e-5) + 1e-6);
      const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      r.adversarial.dispose();
    }
  });

  it('L2 random start is uniform in the ball (radius eps * u^(1/d)), inside [0, 1]', () => {
    const x = tf.fill([200, 2, 2, 1], 0.5) as tf.Tensor4D; // d = 4: no clipping for eps 0.4
    const s = randomStart(x, 'l2', 0.4, 9);
    const r = tf.tidy(() => Array.from(tf.sqrt(tf.sum(tf.square(tf.sub(s, x)), [1, 2, 3])).dataSync()));
    expect(Math.max(...r)).toBeLessThanOrEqual(0.4 + 1e-6);
    // uniform in a 4-ball: P(r <= eps/2) = 1/16; the radius-uniform convention would give 1/2
    const inner = r.filter((v) => v <= 0.2).length / r.length;
    expect(inner).toBeLessThan(0.15);
    // E[(r/eps)^4] = 1/2 for a uniform 4-ball
    const m4 = r.reduce((acc, v) => acc + (v / 0.4) ** 4, 0) / r.length;
    expect(m4).toBeGreaterThan(0.4);
    expect(m4).toBeLessThan(0.6);
    tf.dispose([x, s]);
  });

  it('raises the loss on average (L-inf and L2) and the default L2 step is 2.5 eps / steps', async () => {
    for (const norm of ['linf', 'l2'] as const) {
      const eps = norm === 'linf' ? 0.05 : 0.4;
      const r = await runPgd(task.clf, task.x, task.y, { name: 'pgd', norm, eps, steps: 8, randomStart: false });
      const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
      expect(mean(r.trace[r.trace.length - 1].loss)).toBeGreaterThan(mean(r.trace[0].loss) + 0.05);
      r.adversarial.dispose();
    }
    expect(resolvePgd({ name: 'pgd', norm: 'l2', eps: 1, steps: 10 }).stepSize).toBeCloseTo(0.25, 12);
    expect(resolvePgd({ name: 'pgd', eps: 0.3 }).stepSize).toBe(0.01);
  });

  it('targeted: reaching the target counts as success, and the target class gains probability', async () => {
    const m = buildModel('cnn-small', [28, 28, 1], 10, 8);
    const clf = classifierOf(m);
    const x = randomImages(4, [28, 28, 1], 3);
    const y = Array.from(tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync()));
    const target = y[0] === 3 ? 4 : 3;
    const r = await runPgd(clf, x, y, { name: 'pgd', eps: 0.3, steps: 10, stepSize: 0.05, target, seed: 2 });
    const pred = tf.tidy(() => tf.argMax(clf.logits(r.adversarial), 1).dataSync());
    for (let i = 0; i < 4; i++) expect(r.success[i]).toBe(pred[i] === target && y[i] !== target ? 1 : 0);
    expect(r.success.some((v) => v === 1)).toBe(true);
    tf.dispose([r.adversarial, x]);
    m.dispose();
  });
});
