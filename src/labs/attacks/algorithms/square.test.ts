import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import type { Classifier } from '../../../core/models/classifier';
import { pSelection, resolveSquare, runSquare, squareL2Pattern } from './square';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';

describe('Square Attack (L-inf, black box)', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(5);
  });
  afterAll(() => task.dispose());

  /** The task's classifier, counting images queried; any gradient through it throws. */
  function guarded(): { clf: Classifier; images: () => number } {
    let images = 0;
    const noGrad = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = args[0] as tf.Tensor4D;
      return {
        value: task.clf.logits(x),
        gradFunc: () => {
          throw new Error('Square Attack asked for a gradient');
        },
      };
    });
    return {
      clf: {
        ...task.clf,
        logits: (x) => {
          images += x.shape[0];
          return noGrad(x) as tf.Tensor2D;
        },
      },
      images: () => images,
    };
  }

  it('the guard really throws when differentiated', () => {
    const g = guarded();
    expect(() => tf.grad((x: tf.Tensor) => tf.sum(g.clf.logits(x as tf.Tensor4D)))(task.x)).toThrow(/gradient/);
  });

  it('never asks for a gradient, respects the query budget and counts queries exactly', async () => {
    const g = guarded();
    const budget = 150;
    const r = await runSquare(g.clf, task.x, task.y, { name: 'square', eps: 0.1, queries: budget, seed: 1 });
    expect(r.gradientEvaluations).toBe(0);
    expect(Math.max(...r.queries)).toBeLessThanOrEqual(budget);
    // every image query is one image passed through the classifier (the final predictions reuse them)
    expect(r.queries.reduce((s, v) => s + v, 0)).toBe(g.images());
    for (let i = 0; i < task.y.length; i++) if (!r.success[i]) expect(r.queries[i]).toBe(budget);
    expect(r.success.reduce((s, v) => s + v, 0)).toBeGreaterThan(0);
    for (const v of r.norms.linf) expect(v).toBeLessThanOrEqual(0.1 + 1e-6);
    const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    // the margin loss of the accepted iterate never increases
    for (let t = 1; t < r.trace.length; t++)
      for (let i = 0; i < task.y.length; i++) expect(r.trace[t].loss[i]).toBeLessThanOrEqual(r.trace[t - 1].loss[i]);
    r.adversarial.dispose();
  });

  it('starts from vertical stripes: the first query changes whole columns by +-eps', async () => {
    const r = await runSquare(task.clf, task.x, task.y, { name: 'square', eps: 0.05, queries: 1, seed: 4 });
    const d = tf.tidy(() => tf.sub(r.adversarial, task.x).arraySync() as number[][][][]);
    const x = task.x.arraySync() as number[][][][];
    for (let i = 0; i < 3; i++)
      for (let col = 0; col < 8; col++) {
        const unclipped = [0, 1, 2, 3, 4, 5, 6, 7].filter((row) => x[i][row][col][0] > 0.05 && x[i][row][col][0] < 0.95);
        const vals = unclipped.map((row) => d[i][row][col][0]);
        for (const v of vals) expect(Math.abs(Math.abs(v) - 0.05)).toBeLessThan(1e-6);
        for (const v of vals) expect(Math.sign(v)).toBe(Math.sign(vals[0]));
      }
    r.adversarial.dispose();
  });

  it("p schedule is the authors' piecewise-constant halving, rescaled to the budget", () => {
    expect(pSelection(0.8, 0, 10000)).toBe(0.8);
    expect(pSelection(0.8, 10, 10000)).toBe(0.8);
    expect(pSelection(0.8, 11, 10000)).toBe(0.4);
    expect(pSelection(0.8, 200, 10000)).toBe(0.2);
    expect(pSelection(0.8, 201, 10000)).toBe(0.1);
    expect(pSelection(0.8, 9000, 10000)).toBe(0.8 / 512);
    expect(pSelection(0.8, 100, 1000)).toBe(0.8 / 16);
    expect(pSelection(0.8, 101, 1000)).toBe(0.8 / 32);
  });

  it('repeats exactly for a seed and differs for another', async () => {
    const a = await runSquare(task.clf, task.x, task.y, { name: 'square', eps: 0.08, queries: 40, seed: 7 });
    const b = await runSquare(task.clf, task.x, task.y, { name: 'square', eps: 0.08, queries: 40, seed: 7 });
    const c = await runSquare(task.clf, task.x, task.y, { name: 'square', eps: 0.08, queries: 40, seed: 8 });
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]);
    expect(diff(a.adversarial, b.adversarial)).toBe(0);
    expect(Array.from(a.queries)).toEqual(Array.from(b.queries));
    expect(diff(a.adversarial, c.adversarial)).toBeGreaterThan(0);
    tf.dispose([a.adversarial, b.adversarial, c.adversarial]);
  });
});

describe('Square Attack (L2, black box)', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(5);
  });
  afterAll(() => task.dispose());

  const l2Norms = (r: { norms: { l2: Float32Array } }) => Array.from(r.norms.l2);

  it('accepts norm l2 with L2-sized eps, still rejects other norms', () => {
    expect(resolveSquare({ name: 'square', norm: 'l2', eps: 2 }).norm).toBe('l2');
    expect(() => resolveSquare({ name: 'square', norm: 'l1' as 'l2', eps: 2 })).toThrow(/norm/);
    expect(() => resolveSquare({ name: 'square', eps: 2 })).toThrow(/eps/);
  });

  it('eta(s): bump on the top half minus bump on the bottom half, unit L2 norm (s = 3 by hand)', () => {
    const top = [0.25, 1.25, 0.25];
    const bottom = [0.25, 0.25, 0.25, 0.25, 1.25, 0.25];
    const nt = Math.hypot(...top);
    const nb = Math.hypot(...bottom);
    const want = [...top.map((v) => v / nt), ...bottom.map((v) => -v / nb)].map((v) => v / Math.SQRT2);
    const got = squareL2Pattern(3);
    want.forEach((v, q) => expect(got[q]).toBeCloseTo(v, 12));
    for (const s of [1, 4, 5, 25]) {
      const e = squareL2Pattern(s);
      expect(Math.hypot(...e)).toBeCloseTo(1, 12);
      for (let q = 0; q < Math.floor(s / 2) * s; q++) expect(e[q]).toBeGreaterThan(0);
      for (let q = Math.floor(s / 2) * s; q < s * s; q++) expect(e[q]).toBeLessThan(0);
    }
  });

  it('starts at L2 distance eps (before clipping to [0, 1])', async () => {
    const eps = 0.5;
    const r = await runSquare(task.clf, task.x, task.y, { name: 'square', norm: 'l2', eps, queries: 1, seed: 2 });
    for (const v of l2Norms(r)) {
      expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5));
      expect(v).toBeGreaterThan(0.5 * eps);
    }
    // 8 x 8: tiles of side floor(8 / 5) = 1 from (1, 1) on (the 8th one is cut at the border), eta(1) = +-1:
    // row 0 and column 0 unchanged, the 49 other pixels moved by +-eps / 7 (unless clipped)
    const d = tf.tidy(() => tf.sub(r.adversarial, task.x).arraySync() as number[][][][]);
    const x = task.x.arraySync() as number[][][][];
    for (let i = 0; i < 4; i++)
      for (let row = 0; row < 8; row++)
        for (let col = 0; col < 8; col++) {
          const v = d[i][row][col][0];
          const xv = x[i][row][col][0];
          if (row === 0 || col === 0) expect(v).toBe(0);
          else if (xv > eps / 7 && xv < 1 - eps / 7) expect(Math.abs(Math.abs(v) - eps / 7)).toBeLessThan(1e-6);
        }
    r.adversarial.dispose();
  });

  it('stays in the L2 ball and [0, 1], fools the model, counts queries exactly, margin never increases', async () => {
    let images = 0;
    const clf = {
      ...task.clf,
      logits: (x: tf.Tensor4D) => {
        images += x.shape[0];
        return task.clf.logits(x);
      },
    };
    const eps = 1.5;
    const budget = 300;
    const r = await runSquare(clf, task.x, task.y, { name: 'square', norm: 'l2', eps, queries: budget, seed: 1 });
    expect(r.gradientEvaluations).toBe(0);
    expect(r.queries.reduce((s, v) => s + v, 0)).toBe(images);
    for (let i = 0; i < task.y.length; i++) {
      expect(r.queries[i]).toBeLessThanOrEqual(budget);
      if (!r.success[i]) expect(r.queries[i]).toBe(budget);
    }
    const broken = r.success.reduce((s, v) => s + v, 0);
    expect(broken).toBeGreaterThan(task.y.length / 2);
    for (const v of l2Norms(r)) expect(v).toBeLessThanOrEqual(eps * (1 + 1e-5));
    const [lo, hi] = tf.tidy(() => [tf.min(r.adversarial).dataSync()[0], tf.max(r.adversarial).dataSync()[0]]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    for (let t = 1; t < r.trace.length; t++)
      for (let i = 0; i < task.y.length; i++) expect(r.trace[t].loss[i]).toBeLessThanOrEqual(r.trace[t - 1].loss[i]);
    // the window updates matter: far more images broken than by the start alone
    const start = await runSquare(task.clf, task.x, task.y, { name: 'square', norm: 'l2', eps, queries: 1, seed: 1 });
    expect(broken).toBeGreaterThan(start.success.reduce((s, v) => s + v, 0));
    tf.dispose([r.adversarial, start.adversarial]);
  });

  it('repeats exactly for a seed and differs for another', async () => {
    const spec = { name: 'square', norm: 'l2', eps: 0.8, queries: 40 } as const;
    const a = await runSquare(task.clf, task.x, task.y, { ...spec, seed: 7 });
    const b = await runSquare(task.clf, task.x, task.y, { ...spec, seed: 7 });
    const c = await runSquare(task.clf, task.x, task.y, { ...spec, seed: 8 });
    const diff = (p: tf.Tensor, q: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(p, q))).dataSync()[0]);
    expect(diff(a.adversarial, b.adversarial)).toBe(0);
    expect(Array.from(a.queries)).toEqual(Array.from(b.queries));
    expect(diff(a.adversarial, c.adversarial)).toBeGreaterThan(0);
    tf.dispose([a.adversarial, b.adversarial, c.adversarial]);
  });
});
