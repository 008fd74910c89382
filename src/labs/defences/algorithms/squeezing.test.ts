import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import { bitDepth, median } from '../../../core/defences';
import { Rng } from '../../../core/random';
import { adaptiveSqueezeAttack, roc, squeezeScores, thresholdAtFpr } from './squeezing';

let task: TinyTask;
beforeAll(async () => {
  await tf.setBackend('cpu');
  task = await tinyTask(5, { keep: 16 });
});
afterAll(() => task.dispose());

describe('feature squeezing', () => {
  it('scores the largest L1 distance between softmax outputs over the squeezers', async () => {
    const sq = [bitDepth(1), median(2)];
    const got = await squeezeScores(task.clf, task.x, sq);
    const ref = tf.tidy(() => {
      const p = tf.softmax(task.clf.logits(task.x));
      const d = sq.map((s) => tf.sum(tf.abs(tf.sub(p, tf.softmax(task.clf.logits(s.apply(task.x, new Rng(0)))))), 1));
      return tf.maximum(d[0], d[1]);
    });
    const r = await ref.data();
    ref.dispose();
    got.forEach((v, i) => expect(v).toBeCloseTo(r[i], 5));
    expect(Math.max(...got)).toBeGreaterThan(0);
    for (const v of got) expect(v).toBeLessThanOrEqual(2);
  });

  it('sets the threshold at the target FPR (flagged: above it)', () => {
    const clean = Array.from({ length: 100 }, (_, i) => i / 100);
    const t = thresholdAtFpr(clean, 0.05);
    expect(clean.filter((v) => v > t).length).toBe(5);
    expect(thresholdAtFpr(clean, 0)).toBe(0.99);
  });

  it('ROC and AUC (Mann-Whitney, ties one half)', () => {
    expect(roc([0, 1], [2, 3]).auc).toBe(1);
    expect(roc([2, 3], [0, 1]).auc).toBe(0);
    expect(roc([1, 1], [1, 1]).auc).toBe(0.5);
    // 0.1 < 0.4 > 0.35: pairs (pos 0.35 vs neg 0.1, 0.4) -> 1 + 0, pos 0.8 -> 2: 3 of 4
    const r = roc([0.1, 0.4], [0.35, 0.8]);
    expect(r.auc).toBe(0.75);
    expect(r.points[r.points.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
  });

  it('the adaptive attack finds misclassified inputs under the threshold, without leaks', async () => {
    const sq = [bitDepth(1), median(2)];
    const clean = await squeezeScores(task.clf, task.x, sq);
    const threshold = thresholdAtFpr(clean, 0.05);
    const spec = { norm: 'linf' as const, eps: 0.3, steps: 30, stepSize: 0.02, randomStart: false, seed: 0 };
    const run = async () => {
      const adv = await adaptiveSqueezeAttack(task.clf, task.x, task.y, sq, threshold, spec);
      const z = tf.tidy(() => tf.argMax(task.clf.logits(adv), 1));
      const pred = await z.data();
      const scores = await squeezeScores(task.clf, adv, sq);
      const linfT = tf.tidy(() => tf.max(tf.abs(tf.sub(adv, task.x))));
      const linf = await linfT.data();
      tf.dispose([adv, z, linfT]);
      return { pred, scores, linf: linf[0] };
    };
    const r = await run();
    expect(r.linf).toBeLessThanOrEqual(0.3 + 1e-6);
    const undetected = Array.from(r.pred).filter((p, i) => p !== task.y[i] && r.scores[i] <= threshold).length;
    expect(undetected).toBeGreaterThan(task.y.length / 2);
    const before = tf.memory().numTensors;
    await run();
    expect(tf.memory().numTensors).toBe(before);
  });
});
