import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../../../core/engine/node-backend';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';
import { AttackCancelled } from '../../../core/adversarial/types';
import { tinyTask, type TinyTask } from '../../../core/adversarial/testing';
import { projectL2, projectLinf, resolveFab, runFab } from './fab';
import { runPgd } from './pgd';

const close = (a: ArrayLike<number>, b: number[], tol = 1e-12) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < b.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(tol);
};
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, v, i) => s + v * b[i], 0);
const linf = (v: ArrayLike<number>) => Math.max(0, ...Array.from(v, Math.abs));
const l2 = (v: ArrayLike<number>) => Math.sqrt(dot(v, v));

/**
 * Independent solution of min ||d||_p s.t. <w, t + d> = b, t + d in [0, 1]^n, by bisection on the
 * Lagrange/level parameter: L-inf d_i = clip to the box of -sign(w_i) lambda; L2 d_i = clip(t_i - lambda w_i) - t_i.
 * Returns null when the hyperplane does not meet the box.
 */
function bruteForce(t: number[], w: number[], b: number, norm: 'linf' | 'l2'): number[] | null {
  const sg = dot(w, t) - b >= 0 ? 1 : -1;
  const W = w.map((v) => v * sg);
  const need = b * sg - dot(W, t); // <= 0
  const step = (lam: number) =>
    t.map((ti, i) => {
      if (W[i] === 0) return 0;
      const target = norm === 'linf' ? ti - Math.sign(W[i]) * lam : ti - lam * W[i];
      return Math.min(1, Math.max(0, target)) - ti;
    });
  const at = (lam: number) => dot(W, step(lam));
  if (at(1e6) > need + 1e-12) return null;
  let lo = 0;
  let hi = 1e6;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (at(mid) > need) lo = mid;
    else hi = mid;
  }
  return step(hi);
}

describe('FAB projections onto hyperplane and box (fab_projections.py)', () => {
  it('L-inf: hand-computed answers', () => {
    // no coordinate saturates: both move by lambda = 0.4 / 2
    close(projectLinf([0.5, 0.5], [1, 1], 0.6), [-0.2, -0.2]);
    // the first coordinate saturates at 0 (room 0.1), the other takes the rest: lambda = 0.3
    close(projectLinf([0.1, 0.5], [1, 1], 0.2), [-0.1, -0.3]);
    // <w, t> = 0.1 < b = 0.5: the plane is above; w_0 > 0 moves up, w_1 < 0 moves down, 3 lambda = 0.4
    close(projectLinf([0.5, 0.2], [1, -2], 0.5), [0.4 / 3, -0.4 / 3]);
    // a zero weight never moves
    close(projectLinf([0.5, 0.9], [1, 0], 0.3), [-0.2, 0]);
    // the plane is beyond the box: the closest corner
    close(projectLinf([0.5], [1], 2), [0.5]);
    close(projectLinf([0.3, 0.6], [1, 1], -1), [-0.3, -0.6]);
    // already on the plane
    close(projectLinf([0.3, 0.6], [1, 1], 0.9), [0, 0]);
  });

  it('L2: hand-computed answers', () => {
    close(projectL2([0.5, 0.5], [1, 1], 0.6), [-0.2, -0.2]);
    // the unconstrained step -0.2 (1, 1) leaves the box: coordinate 0 stops at 0, coordinate 1 moves 0.3
    close(projectL2([0.1, 0.5], [1, 1], 0.2), [-0.1, -0.3]);
    // unequal weights: d = -c w / ||w||^2 = -(0.5) (1, 2) / 5
    close(projectL2([0.5, 0.5], [1, 2], 1), [-0.1, -0.2]);
    close(projectL2([0.5, 0.2], [1, -2], 0.5), [0.08, -0.16]);
    close(projectL2([0.5, 0.9], [1, 0], 0.3), [-0.2, 0]);
    close(projectL2([0.5], [1], 2), [0.5]);
    close(projectL2([0.3, 0.6], [1, 1], -1), [-0.3, -0.6]);
  });

  it('agree with an independent bisection and no random feasible point is closer (n = 1..40)', () => {
    const rng = new Rng(11);
    let feasible = 0;
    let saturated = 0;
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + rng.int(40);
      const t = Array.from({ length: n }, () => (rng.next() < 0.2 ? (rng.next() < 0.5 ? 0 : 1) : rng.next()));
      const w = Array.from({ length: n }, () => (rng.next() < 0.1 ? 0 : rng.next() * 4 - 2));
      const b = dot(w, t) + (rng.next() - 0.5) * (0.2 + rng.next() * 3);
      for (const norm of ['linf', 'l2'] as const) {
        const d = norm === 'linf' ? projectLinf(t, w, b) : projectL2(t, w, b);
        const ref = bruteForce(t, w, b, norm);
        for (let i = 0; i < n; i++) {
          expect(t[i] + d[i]).toBeGreaterThanOrEqual(-1e-12);
          expect(t[i] + d[i]).toBeLessThanOrEqual(1 + 1e-12);
          if (w[i] === 0) expect(d[i]).toBe(0);
        }
        const size = norm === 'linf' ? linf : l2;
        if (ref === null) {
          // no point of the box is on the plane: the corner closest to it
          const sg = dot(w, t) - b >= 0 ? 1 : -1;
          close(
            d,
            t.map((ti, i) => (w[i] === 0 ? 0 : w[i] * sg < 0 ? 1 - ti : -ti)),
          );
          continue;
        }
        feasible++;
        if (d.some((v, i) => Math.abs(t[i] + v) < 1e-12 || Math.abs(t[i] + v - 1) < 1e-12)) saturated++;
        expect(Math.abs(dot(w, t) + dot(w, d) - b)).toBeLessThan(1e-9);
        expect(Math.abs(size(d) - size(ref))).toBeLessThan(1e-9);
        if (norm === 'l2') close(d, ref, 1e-7); // the L2 minimiser is unique
        // random points of the plane inside the box: none is closer
        for (let s = 0; s < 30; s++) {
          const z = t.map((ti) => Math.min(1, Math.max(0, ti + (rng.next() - 0.5) * 2 * size(d) * 1.5)));
          const nz = w.map((v, i) => (v !== 0 ? i : -1)).filter((i) => i >= 0);
          if (nz.length === 0) break;
          const j = nz[rng.int(nz.length)];
          z[j] += (b - dot(w, z)) / w[j];
          if (z[j] < 0 || z[j] > 1) continue;
          expect(size(z.map((v, i) => v - t[i]))).toBeGreaterThanOrEqual(size(d) - 1e-9);
        }
      }
    }
    // the instances exercise the interesting branches
    expect(feasible).toBeGreaterThan(100);
    expect(saturated).toBeGreaterThan(25);
  });
});

/** A 2-class linear model z = x W + c on 4x4x1 images, where the exact minimal adversarial distance is known. */
function linearModel(seed: number): { clf: Classifier; w: number[]; bias: number; dispose: () => void } {
  const rng = new Rng(seed);
  const d = 16;
  const W = Array.from({ length: d * 2 }, () => rng.next() * 2 - 1);
  const c = [0.3, -0.3];
  const Wt = tf.tensor2d(W, [d, 2]);
  const ct = tf.tensor1d(c);
  const clf: Classifier = {
    logits: (x) => tf.tidy(() => tf.add(tf.matMul(tf.reshape(x, [x.shape[0], d]), Wt), ct) as tf.Tensor2D),
    inputShape: [4, 4, 1],
    numClasses: 2,
    outputKind: 'logits',
  };
  // z_1 - z_0 = <w, x> + bias
  const w = Array.from({ length: d }, (_, q) => W[q * 2 + 1] - W[q * 2]);
  return { clf, w, bias: c[1] - c[0], dispose: () => tf.dispose([Wt, ct]) };
}

describe('FAB-T', () => {
  let task: TinyTask;
  beforeAll(async () => {
    await initNodeBackend('wasm');
    task = await tinyTask(2);
  });
  afterAll(() => task.dispose());

  it('validates its options', () => {
    expect(resolveFab({ name: 'fab-t', eps: 0.3 })).toEqual({
      name: 'fab-t',
      norm: 'linf',
      eps: 0.3,
      steps: 100,
      restarts: 1,
      targetClasses: 9,
      seed: 0,
    });
    expect(() => resolveFab({ name: 'fab-t', eps: 1.5 })).toThrow(/eps/);
    expect(() => resolveFab({ name: 'fab-t', norm: 'l1' as 'l2', eps: 1 })).toThrow(/norm/);
    expect(() => resolveFab({ name: 'fab-t', eps: 0.3, steps: 0 })).toThrow(/steps/);
    expect(() => resolveFab({ name: 'fab-t', eps: 0.3, targetClasses: 0 })).toThrow(/targetClasses/);
    expect(() => resolveFab({ name: 'fab-t', eps: 0.3, target: 1 } as never)).toThrow(/target/);
  });

  it('on a linear model it converges to the exact minimal distance (L-inf and L2)', async () => {
    const lin = linearModel(4);
    const n = 12;
    const rng = new Rng(5);
    // a third of the pixels at 0 or 1 (as on MNIST): the box constrains the minimal perturbation
    const xs = Array.from({ length: n * 16 }, () => (rng.next() < 0.33 ? (rng.next() < 0.5 ? 0 : 1) : 0.2 + 0.6 * rng.next()));
    const x = tf.tensor4d(xs, [n, 4, 4, 1]);
    const z = await lin.clf.logits(x).data();
    const y = Int32Array.from({ length: n }, (_, i) => (z[i * 2 + 1] > z[i * 2] ? 1 : 0));
    try {
      for (const norm of ['linf', 'l2'] as const) {
        const r = await runFab(lin.clf, x, y, { name: 'fab-t', norm, eps: norm === 'linf' ? 1 : 10, steps: 100 });
        const got = norm === 'linf' ? r.norms.linf : r.norms.l2;
        for (let i = 0; i < n; i++) {
          const t = xs.slice(i * 16, (i + 1) * 16);
          const exact = bruteForce(t, lin.w, -lin.bias, norm);
          expect(exact).not.toBeNull();
          const dmin = norm === 'linf' ? linf(exact!) : l2(exact!);
          expect(r.success[i]).toBe(1);
          // never below the true minimum (up to float32), and within 1% above it
          expect(got[i]).toBeGreaterThanOrEqual(dmin - 1e-5);
          expect(got[i]).toBeLessThanOrEqual(dmin * 1.01 + 1e-5);
        }
        expect(r.targets).toBeNull();
        r.adversarial.dispose();
      }
    } finally {
      x.dispose();
      lin.dispose();
    }
  });

  it('finds adversarials within eps, with smaller norms than PGD on the images both fool (L-inf and L2)', async () => {
    for (const [norm, eps] of [
      ['linf', 0.15],
      ['l2', 1.0],
    ] as const) {
      const f = await runFab(task.clf, task.x, task.y, { name: 'fab-t', norm, eps, steps: 30 });
      const g = await runPgd(task.clf, task.x, task.y, {
        name: 'pgd',
        norm,
        eps,
        steps: 20,
        stepSize: norm === 'linf' ? eps / 8 : undefined,
      });
      const fn = norm === 'linf' ? f.norms.linf : f.norms.l2;
      const gn = norm === 'linf' ? g.norms.linf : g.norms.l2;
      let both = 0;
      let sumF = 0;
      let sumG = 0;
      for (let i = 0; i < task.y.length; i++) {
        expect(fn[i]).toBeLessThanOrEqual(eps * (1 + 1e-6));
        expect(f.success[i]).toBe(f.fooled[i]);
        if (!f.success[i]) expect(fn[i]).toBe(0); // failed: x returned
        if (f.success[i] && g.success[i]) {
          both++;
          sumF += fn[i];
          sumG += gn[i];
          expect(fn[i]).toBeLessThanOrEqual(gn[i] + 1e-6);
        }
      }
      expect(both).toBeGreaterThan(task.y.length / 3);
      expect(sumF).toBeLessThan(0.8 * sumG);
      const [lo, hi] = tf.tidy(() => [tf.min(f.adversarial).dataSync()[0], tf.max(f.adversarial).dataSync()[0]]);
      expect(lo).toBeGreaterThanOrEqual(0);
      expect(hi).toBeLessThanOrEqual(1);
      tf.dispose([f.adversarial, g.adversarial]);
    }
  });

  it('counts passes: 3 target classes on 4 classes, 2 passes per iteration, gradients per image', async () => {
    const steps = 5;
    const r = await runFab(task.clf, task.x, task.y, { name: 'fab-t', eps: 0.01, steps });
    // eps 0.01 breaks (almost) nothing: robust images go through all K - 1 = 3 targets
    const robust = Array.from(r.success).filter((v) => !v).length;
    expect(robust).toBeGreaterThan(0);
    expect(r.gradientEvaluations).toBe(3 * steps);
    expect(r.trace).toHaveLength(3 * steps);
    for (let i = 0; i < task.y.length; i++) {
      if (r.success[i]) continue;
      // clean pass, 2 per iteration, the accepted-point checks (at most 1 per run), the final pass
      expect(r.queries[i]).toBeGreaterThanOrEqual(1 + 3 * 2 * steps + 1);
      expect(r.queries[i]).toBeLessThanOrEqual(1 + 3 * (2 * steps + 1) + 2);
    }
    r.adversarial.dispose();
  });

  it('repeats exactly for a seed (random restarts), frees its tensors, and stops when cancelled', async () => {
    const spec = { name: 'fab-t', eps: 0.06, steps: 8, restarts: 2, seed: 3 } as const;
    const before = tf.memory().numTensors;
    const a = await runFab(task.clf, task.x, task.y, spec);
    const b = await runFab(task.clf, task.x, task.y, spec);
    expect(tf.memory().numTensors).toBe(before + 2);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(a.adversarial, b.adversarial))).dataSync()[0]);
    expect(diff).toBe(0);
    expect(Array.from(a.success)).toEqual(Array.from(b.success));
    expect(Array.from(a.queries)).toEqual(Array.from(b.queries));
    tf.dispose([a.adversarial, b.adversarial]);
    const ctl = new AbortController();
    await expect(
      runFab(task.clf, task.x, task.y, spec, { signal: ctl.signal, onStep: (r) => r.step === 3 && ctl.abort() }),
    ).rejects.toThrow(AttackCancelled);
    expect(tf.memory().numTensors).toBe(before);
  });
});
