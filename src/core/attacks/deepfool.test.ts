import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../engine/node-backend';
import { classifierOf, linearModel } from '../test-utils';
import { runDeepFool } from './deepfool';

const shape: [number, number, number] = [4, 4, 1];

/** Images near 0.5 so that a small step is not clipped by [0, 1]. */
function midImages(n: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0.45, 0.55, 'float32', seed) as tf.Tensor4D;
}

describe('DeepFool (L2)', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  for (const classes of [2, 5]) {
    it(`on a ${classes}-class linear model: one step of (1 + overshoot) x the minimal L2 perturbation to the nearest boundary`, async () => {
      const m = linearModel(shape, classes, 3 + classes);
      const clf = classifierOf(m);
      const x = midImages(6, classes);
      const y = Array.from(tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync()));
      const [W] = m.layers[1].getWeights(); // [16, K]
      const Wd = W.arraySync() as number[][];
      const z = tf.tidy(() => clf.logits(x).arraySync() as number[][]);
      const xs = x.arraySync() as number[][][][];
      const overshoot = 0.02;
      const r = await runDeepFool(clf, x, y, { name: 'deepfool', overshoot });
      const adv = r.adversarial.arraySync() as number[][][][];
      for (let i = 0; i < 6; i++) {
        // closed form: l = argmin_k |z_k - z_y| / ||w_k - w_y||, r = |z_l - z_y| / ||w_l - w_y||^2 (w_l - w_y)
        let best = Infinity;
        let expected: number[] = [];
        for (let k = 0; k < classes; k++) {
          if (k === y[i]) continue;
          const w = Wd.map((row) => row[k] - row[y[i]]);
          const nrm2 = w.reduce((s, v) => s + v * v, 0);
          const dist = Math.abs(z[i][k] - z[i][y[i]]) / Math.sqrt(nrm2);
          if (dist < best) {
            best = dist;
            expected = w.map((v) => ((1 + overshoot) * Math.abs(z[i][k] - z[i][y[i]]) * v) / nrm2);
          }
        }
        const got = adv[i].flat(2).map((v, q) => v - xs[i].flat(2)[q]);
        for (let q = 0; q < 16; q++) expect(got[q]).toBeCloseTo(expected[q], 4);
        expect(r.norms.l2[i]).toBeCloseTo((1 + overshoot) * best, 4);
        expect(r.success[i]).toBe(1);
      }
      expect(r.gradientEvaluations).toBe(2 * classes); // the step, then the check that it crossed
      tf.dispose([x, r.adversarial]);
      m.dispose();
    });
  }

  it('returns misclassified images unchanged, stays in [0, 1], and refuses a target', async () => {
    const m = linearModel(shape, 3, 1);
    const clf = classifierOf(m);
    const x = tf.randomUniform([5, ...shape], 0, 1, 'float32', 2) as tf.Tensor4D;
    const pred = Array.from(tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync()));
    const y = pred.map((p, i) => (i === 0 ? (p + 1) % 3 : p));
    const r = await runDeepFool(clf, x, y, { name: 'deepfool', steps: 50 });
    expect(r.norms.l2[0]).toBe(0);
    expect(r.success[0]).toBe(1);
    const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    await expect(runDeepFool(clf, x, y, { name: 'deepfool', target: 1 })).rejects.toThrow(/targeted/);
    tf.dispose([x, r.adversarial]);
    m.dispose();
  });
});
