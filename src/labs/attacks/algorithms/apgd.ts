/**
 * APGD-CE, Auto-PGD on the cross-entropy (Croce & Hein 2020, "Reliable evaluation of adversarial
 * robustness with an ensemble of diverse parameter-free attacks", Algorithm 1), L-inf and L2.
 *
 *   x^(1)   = P(x^(0) + eta * s(grad f(x^(0))))
 *   z^(k+1) = P(x^(k) + eta * s(grad f(x^(k))))
 *   x^(k+1) = P(x^(k) + alpha (z^(k+1) - x^(k)) + (1 - alpha)(x^(k) - x^(k-1))),   alpha = 0.75
 *   s = sign (L-inf) or g / ||g||_2 (L2); P = projection onto the eps ball and [0, 1];
 *   f = CE(logits, y), maximised; x_max / f_max = best point and loss so far (per image).
 *
 * Step size: eta starts at 2 eps (per image). Checkpoints w_j = ceil(p_j N_iter) with p_0 = 0,
 * p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06) (computed in exact hundredths).
 * At a checkpoint w_j, eta is halved and the iterate reset to x_max (with its gradient, as in the
 * authors' code) when
 *   Condition 1: #{i in [w_{j-1}, w_j - 1] : f(x^(i+1)) > f(x^(i))} < 0.75 (w_j - w_{j-1}), or
 *   Condition 2: eta was not halved at w_{j-1} and f_max(w_{j-1}) >= f_max(w_j) (no improvement).
 * (The paper's text; the authors' code differs in two corners: it never applies Condition 2 at the
 * first checkpoint and compares with <= in Condition 1.) After a reset f(x^(w_j)) = f_max.
 *
 * Start: with randomStart (default, as AutoAttack), x^(0) = clip(x + eps * t / ||t||), t ~ U(-1, 1)^d
 * normalised in L-inf, or t ~ N(0, I) normalised in L2 (AutoAttack's initialisation); else x^(0) = x.
 * Output per image: the latest iterate that reached the goal, else x_max. N_iter gradient steps use
 * N_iter + 1 gradient evaluations. Restarts (default 1 = none) rerun from a new random start; a
 * broken image keeps its adversarial.
 * Targeted: the authors' "ce-targeted" loss f = -CE(logits, t) (APGD-T with the DLR loss is a
 * different attack).
 * Trace: every evaluated iterate x^(0..N_iter), loss = f.
 *
 * The loop (apgdRun) and the restarts (runApgdRestarts) take the loss f and the goal as parameters:
 * APGD-DLR (apgd-dlr.ts) and APGD-T (apgd-t.ts) run the same iterations on the DLR losses.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';
import {
  crossEntropyPerImage,
  exactSign,
  finish,
  gradWithLogits,
  linfBox,
  normalizeL2,
  prepare,
  type Prepared,
  project,
  reached,
  Recorder,
  selectPerImage,
} from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome, Norm } from '../../../core/adversarial/types';
import { type ApgdSpec, resolveApgd, type ApgdSettings } from './apgd-def';
export { type ApgdSpec, type ResolvedApgd, resolveApgd, type ApgdSettings, apgdCe } from './apgd-def';

/** Checkpoint iterations w_1 < w_2 < ... (w_0 = 0 left out) for N_iter iterations. */
export function apgdCheckpoints(nIter: number): number[] {
  const p = [0, 22]; // hundredths
  for (;;) {
    const j = p.length - 1;
    const next = p[j] + Math.max(p[j] - p[j - 1] - 3, 6);
    if (next > 100) break;
    p.push(next);
  }
  const w = p.slice(1).map((pj) => Math.ceil((pj * nIter) / 100));
  return [...new Set(w)].filter((v) => v >= 1 && v <= nIter);
}

function apgdStart(x: tf.Tensor4D, norm: Norm, eps: number, seed: number): tf.Tensor4D {
  return tf.tidy(() => {
    if (norm === 'linf') {
      const t = tf.randomUniform(x.shape, -1, 1, 'float32', seed);
      const scaled = tf.div(t, tf.add(tf.max(tf.abs(t), [1, 2, 3], true), 1e-12));
      return tf.clipByValue(tf.add(x, tf.mul(scaled, eps)), 0, 1) as tf.Tensor4D;
    }
    const t = tf.randomNormal(x.shape, 0, 1, 'float32', seed) as tf.Tensor4D;
    return tf.clipByValue(tf.add(x, tf.mul(normalizeL2(t), eps)), 0, 1) as tf.Tensor4D;
  });
}

/** What one APGD run maximises, when an image is done, and the caller's bookkeeping. */
export interface ApgdRunHooks {
  /** Per-image loss of the logits, maximised (CE, DLR, targeted DLR, ...). */
  objective: (z: tf.Tensor2D) => tf.Tensor1D;
  /** Whether image i (a row of the run's batch) reached the attack's goal, given its predicted class. */
  reached: (i: number, pred: number) => boolean;
  /** Awaited before every step: throws AttackCancelled when the attack is cancelled. */
  checkpoint: () => Promise<void>;
  /** Receives the logits (row-major) and loss of every evaluated iterate. */
  record: (logits: Float32Array, loss: Float32Array) => void;
  /** Called after every gradient evaluation (one per image of the batch). */
  evaluated: () => void;
}

/**
 * One APGD run (Algorithm 1, N_iter steps, N_iter + 1 gradient evaluations) on every image of x from
 * a start drawn with `seed`. Returns per image the latest iterate that reached the goal, else x_max
 * (caller disposes), and which images reached the goal.
 */
export async function apgdRun(
  clf: Classifier,
  x: tf.Tensor4D,
  s: ApgdSettings,
  seed: number,
  h: ApgdRunHooks,
): Promise<{ adversarial: tf.Tensor4D; found: Uint8Array }> {
  const n = x.shape[0];
  const k = clf.numClasses;
  const box = s.norm === 'linf' ? linfBox(x, s.eps) : undefined;
  const P = (a: tf.Tensor4D) => project(a, x, s.norm, s.eps, box);
  const dir = (g: tf.Tensor4D) => (s.norm === 'linf' ? exactSign(g) : normalizeL2(g));
  const checkpoints = new Set(apgdCheckpoints(s.steps));
  // every tensor of the iteration state lives in one slot; a tensor is freed once no slot holds it
  type Slot = 'xCur' | 'xPrev' | 'gCur' | 'xMax' | 'gMax' | 'xFound' | 'xNext' | 'gNext';
  const st: Record<Slot, tf.Tensor4D | null> = {
    xCur: null,
    xPrev: null,
    gCur: null,
    xMax: null,
    gMax: null,
    xFound: null,
    xNext: null,
    gNext: null,
  };
  const set = (slot: Slot, t: tf.Tensor4D | null) => {
    const old = st[slot];
    st[slot] = t;
    if (old && old !== t && !Object.values(st).includes(old)) old.dispose();
  };
  const clearAll = () => {
    for (const t of new Set(Object.values(st))) t?.dispose();
    for (const key of Object.keys(st) as Slot[]) st[key] = null;
  };
  const evalAt = async (xx: tf.Tensor4D) => {
    const r = await gradWithLogits(clf, xx, h.objective);
    h.evaluated();
    return r;
  };
  try {
    await h.checkpoint();
    set('xCur', s.randomStart ? apgdStart(x, s.norm, s.eps, seed) : tf.clone(x));
    const e0 = await evalAt(st.xCur!);
    set('gCur', e0.grad);
    h.record(e0.logits, e0.loss);
    set('xPrev', st.xCur);
    set('xMax', st.xCur);
    set('gMax', st.gCur);
    const fMax = Float32Array.from(e0.loss);
    const history: Float32Array[] = [Float32Array.from(e0.loss)];
    const found = new Uint8Array(n);
    const markFound = (logits: Float32Array) => {
      const now = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        let arg = 0;
        for (let c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + arg]) arg = c;
        if (h.reached(i, arg)) now[i] = found[i] = 1;
      }
      return now;
    };
    set('xFound', selectPerImage(markFound(e0.logits), st.xCur!, x));
    const eta = new Float32Array(n).fill(2 * s.eps);
    let lastCheck = 0;
    let fMaxAtLastCheck = Float32Array.from(fMax);
    let halvedAtLastCheck = new Uint8Array(n);
    for (let it = 0; it < s.steps; it++) {
      await h.checkpoint();
      const alpha = it === 0 ? 1 : 0.75;
      const xc = st.xCur!;
      const xp = st.xPrev!;
      const gc = st.gCur!;
      set(
        'xNext',
        tf.tidy(() => {
          const step = tf.tensor4d(eta, [n, 1, 1, 1]);
          const z = P(tf.add(xc, tf.mul(step, dir(gc))) as tf.Tensor4D);
          return P(tf.add(tf.add(xc, tf.mul(tf.sub(z, xc), alpha)), tf.mul(tf.sub(xc, xp), 1 - alpha)) as tf.Tensor4D);
        }),
      );
      const e = await evalAt(st.xNext!);
      set('gNext', e.grad);
      h.record(e.logits, e.loss);
      const now = markFound(e.logits);
      if (now.some((v) => v === 1)) set('xFound', selectPerImage(now, st.xNext!, st.xFound!));
      const improved = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        if (e.loss[i] > fMax[i]) {
          improved[i] = 1;
          fMax[i] = e.loss[i];
        }
      }
      if (improved.some((v) => v === 1)) {
        set('xMax', selectPerImage(improved, st.xNext!, st.xMax!));
        set('gMax', selectPerImage(improved, st.gNext!, st.gMax!));
      }
      const f = Float32Array.from(e.loss);
      history.push(f);
      const w = it + 1;
      if (checkpoints.has(w)) {
        const span = w - lastCheck;
        const halve = new Uint8Array(n);
        for (let i = 0; i < n; i++) {
          let increases = 0;
          for (let t = lastCheck; t < w; t++) if (history[t + 1][i] > history[t][i]) increases++;
          const cond1 = increases < 0.75 * span;
          const cond2 = !halvedAtLastCheck[i] && fMaxAtLastCheck[i] >= fMax[i];
          if (cond1 || cond2) {
            halve[i] = 1;
            eta[i] /= 2;
            f[i] = fMax[i];
          }
        }
        if (halve.some((v) => v === 1)) {
          set('xNext', selectPerImage(halve, st.xMax!, st.xNext!));
          set('gNext', selectPerImage(halve, st.gMax!, st.gNext!));
        }
        halvedAtLastCheck = halve;
        fMaxAtLastCheck = Float32Array.from(fMax);
        lastCheck = w;
      }
      // x^(k-1) <- x^(k), x^(k) <- x^(k+1)
      set('xPrev', st.xCur);
      set('xCur', st.xNext);
      set('xNext', null);
      set('gCur', st.gNext);
      set('gNext', null);
    }
    return { adversarial: selectPerImage(found, st.xFound!, st.xMax!), found };
  } finally {
    clearAll();
    box?.lo.dispose();
    box?.hi.dispose();
  }
}

/**
 * APGD with restarts on a whole batch, maximising `objective`: every restart runs on every image from
 * a new random start (seeds drawn from s.seed); an image that reached the goal (p's target, or
 * misclassification) keeps the adversarial of the first restart that found one. Shared by APGD-CE
 * and APGD-DLR.
 */
export async function runApgdRestarts(
  clf: Classifier,
  x: tf.Tensor4D,
  p: Prepared,
  s: ApgdSettings & { restarts: number; seed: number },
  objective: (z: tf.Tensor2D) => tf.Tensor1D,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const { n } = p;
  const rec = new Recorder(p, hooks);
  const rng = new Rng(s.seed);
  const queries = new Int32Array(n).fill(p.queries);
  const success = new Uint8Array(n);
  let gradients = 0;
  let result: tf.Tensor4D | null = null;
  try {
    for (let restart = 0; restart < s.restarts; restart++) {
      const run = await apgdRun(clf, x, s, rng.seed(), {
        objective,
        reached: (i, pred) => reached(p, i, pred),
        checkpoint: () => rec.checkpoint(),
        record: (logits, loss) => rec.record(restart, logits, loss),
        evaluated: () => {
          gradients++;
          for (let i = 0; i < n; i++) queries[i]++;
        },
      });
      if (result) {
        const prev = result;
        result = selectPerImage(success, prev, run.adversarial);
        prev.dispose();
        run.adversarial.dispose();
      } else {
        result = run.adversarial;
      }
      for (let i = 0; i < n; i++) success[i] = success[i] || run.found[i];
      if (success.every((v) => v === 1)) break;
    }
    return await finish(clf, x, result!, p, rec, { gradientEvaluations: gradients, queries });
  } catch (e) {
    result?.dispose();
    throw e;
  }
}

export async function runApgd(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: ApgdSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveApgd(spec);
  const p = await prepare(clf, x, y, s.target);
  const classes = tf.tensor1d(p.targets ?? p.labels, 'int32');
  const targeted = p.targets !== null;
  const objective = (z: tf.Tensor2D): tf.Tensor1D =>
    targeted ? tf.tidy(() => tf.neg(crossEntropyPerImage(z, classes))) : crossEntropyPerImage(z, classes);
  try {
    return await runApgdRestarts(clf, x, p, s, objective, hooks);
  } finally {
    classes.dispose();
  }
}
