import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import type { Classifier } from '../../../core/models/classifier';
import { classifierOf, linearModel } from '../../../core/test-utils';
import { DEEPFOOL_STEP_MARGIN, runDeepFool } from './deepfool';
import { tinyTask } from '../../../core/adversarial/testing';

const shape: [number, number, number] = [4, 4, 1];

/** Images near 0.5 so that a small step is not clipped by [0, 1]. */
function midImages(n: number, seed: number): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0.45, 0.55, 'float32', seed) as tf.Tensor4D;
}

/** Two classes on 4x4 images: z_0 = 0, z_1 = sum(x) - bias (weights given exactly). */
function sumModel(bias: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: shape }));
  m.add(tf.layers.dense({ units: 2 }));
  m.layers[1].setWeights([
    tf.tensor2d(
      Array.from({ length: 16 }, () => [0, 1]),
      [16, 2],
    ),
    tf.tensor1d([0, -bias]),
  ]);
  return m;
}

/** Predicted class of every image of t, each computed alone (a batch of one). */
function singlePredictions(clf: Classifier, t: tf.Tensor4D): number[] {
  return Array.from({ length: t.shape[0] }, (_, i) =>
    tf.tidy(
      () => tf.argMax(clf.logits(tf.slice(t, [i, 0, 0, 0], [1, ...(t.shape.slice(1) as [number, number, number])])), 1).dataSync()[0],
    ),
  );
}

describe('DeepFool (L2)', () => {
  beforeAll(async () => {
    await initNodeBackend('wasm');
  });

  for (const classes of [2, 5]) {
    it(`on a ${classes}-class linear model: one step of (1 + overshoot) (d + 1e-4) along the normal of the nearest boundary`, async () => {
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
        // closed form: l = argmin_k |z_k - z_y| / ||w_k - w_y||, r = (|z_l - z_y| / ||w_l - w_y|| + 1e-4) (w_l - w_y) / ||w_l - w_y||
        let best = Infinity;
        let expected: number[] = [];
        for (let k = 0; k < classes; k++) {
          if (k === y[i]) continue;
          const w = Wd.map((row) => row[k] - row[y[i]]);
          const nrm2 = w.reduce((s, v) => s + v * v, 0);
          const dist = Math.abs(z[i][k] - z[i][y[i]]) / Math.sqrt(nrm2);
          if (dist < best) {
            best = dist;
            expected = w.map((v) => ((1 + overshoot) * (dist + DEEPFOOL_STEP_MARGIN) * v) / Math.sqrt(nrm2));
          }
        }
        const got = adv[i].flat(2).map((v, q) => v - xs[i].flat(2)[q]);
        for (let q = 0; q < 16; q++) expect(got[q]).toBeCloseTo(expected[q], 5);
        expect(r.norms.l2[i]).toBeCloseTo((1 + overshoot) * (best + DEEPFOOL_STEP_MARGIN), 5);
        expect(r.success[i]).toBe(1);
        expect(r.predictions[i]).not.toBe(y[i]);
      }
      expect(r.gradientEvaluations).toBe(2 * classes); // the step, then the check that it crossed
      expect(singlePredictions(clf, r.adversarial)).toEqual(Array.from(r.predictions));
      tf.dispose([x, r.adversarial]);
      m.dispose();
    });
  }

  it('leaves an exact tie (linearised distance 0) in one step of 1e-4 instead of stalling', async () => {
    const m = sumModel(8);
    const clf = classifierOf(m);
    const x = tf.fill([1, ...shape], 0.5) as tf.Tensor4D; // z_0 = z_1 = 0: argmax picks class 0
    expect(Array.from(tf.tidy(() => tf.argMax(clf.logits(x), 1).dataSync()))).toEqual([0]);
    const r = await runDeepFool(clf, x, [0], { name: 'deepfool', steps: 50 });
    expect(r.success[0]).toBe(1);
    expect(r.predictions[0]).toBe(1);
    expect(r.norms.l2[0]).toBeCloseTo(1.02 * DEEPFOOL_STEP_MARGIN, 6);
    expect(r.gradientEvaluations).toBe(2 * 2);
    tf.dispose([x, r.adversarial]);
    m.dispose();
  });

  it('decides success on the returned tensor: a label that flips only in the iteration batch gets more steps', async () => {
    // float32 logits of a row depend a little on the batch it is computed in; exaggerated here: a batch of
    // one (the returned adversarial of one image) gives class 0 a bonus of 0.03 that the tiled Jacobian
    // batch does not. z_1 - z_0 = -1 at x = 0.5 and ||w|| = 4: the first step takes the margin to
    // 1.02 (1 + 4e-4) - 1 = +0.0204 in the iteration, still -0.0096 in the batch of one.
    const m = sumModel(9);
    const bonus = 0.03;
    const clf: Classifier = {
      ...classifierOf(m),
      logits: (t) =>
        tf.tidy(() => (t.shape[0] === 1 ? tf.add(m.apply(t) as tf.Tensor2D, tf.tensor1d([bonus, 0])) : (m.apply(t) as tf.Tensor2D))),
    };
    const x = tf.fill([1, ...shape], 0.5) as tf.Tensor4D;
    const r = await runDeepFool(clf, x, [0], { name: 'deepfool', steps: 50 });
    expect(r.success[0]).toBe(1);
    expect(r.fooled[0]).toBe(1);
    expect(singlePredictions(clf, r.adversarial)).toEqual([1]);
    expect(Array.from(r.predictions)).toEqual([1]);
    // one more step from there: + 1.02 (0.0204 + 4e-4) = +0.0416 in the iteration, +0.0116 in the batch of one
    const [z0, z1] = tf.tidy(() => Array.from(clf.logits(r.adversarial).dataSync()));
    expect(z1 - z0).toBeCloseTo(0.0416 - bonus, 3);
    expect(r.norms.l2[0]).toBeCloseTo(1.0416 / 4, 3);
    expect(r.gradientEvaluations).toBe(4 * 2); // step, "crossed", step, crossed
    tf.dispose([x, r.adversarial]);

    // with no step left, such an image counts as a failure and is returned unchanged
    const big: Classifier = {
      ...clf,
      logits: (t) =>
        tf.tidy(() => (t.shape[0] === 1 ? tf.add(m.apply(t) as tf.Tensor2D, tf.tensor1d([0.5, 0])) : (m.apply(t) as tf.Tensor2D))),
    };
    const x2 = tf.fill([1, ...shape], 0.5) as tf.Tensor4D;
    const r2 = await runDeepFool(big, x2, [0], { name: 'deepfool', steps: 1 });
    expect(r2.success[0]).toBe(0);
    expect(r2.predictions[0]).toBe(0);
    expect(r2.norms.l2[0]).toBe(0);
    tf.dispose([x2, r2.adversarial]);
    m.dispose();
  });

  it('fools every correctly classified image of a small trained MLP, in a few iterations, as the returned tensor confirms', async () => {
    const task = await tinyTask(3, { keep: 24 });
    try {
      const n = task.x.shape[0];
      expect(n).toBeGreaterThanOrEqual(16);
      const evals = new Array<number>(n).fill(0);
      const r = await runDeepFool(
        task.clf,
        task.x,
        task.y,
        { name: 'deepfool', steps: 50, overshoot: 0.02 },
        {
          onStep: (t) => t.margin.forEach((v, i) => (evals[i] += Number.isNaN(v) ? 0 : 1)),
        },
      );
      expect(Array.from(r.success)).toEqual(new Array(n).fill(1));
      for (let i = 0; i < n; i++) expect(r.predictions[i]).not.toBe(task.y[i]);
      expect(singlePredictions(task.clf, r.adversarial)).toEqual(Array.from(r.predictions));
      const batchPred = Array.from(tf.tidy(() => tf.argMax(task.clf.logits(r.adversarial), 1).dataSync()));
      expect(batchPred).toEqual(Array.from(r.predictions));
      // steps taken per image: evaluations minus the final check
      expect(Math.max(...evals) - 1).toBeLessThanOrEqual(10);
      for (const v of r.norms.l2) expect(v).toBeGreaterThan(0);
      const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      r.adversarial.dispose();
    } finally {
      task.dispose();
    }
  });

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
