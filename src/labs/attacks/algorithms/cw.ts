/**
 * Carlini & Wagner L2 (Carlini & Wagner 2017, "Towards evaluating the robustness of neural networks"),
 * following the authors' reference code (nn_robust_attacks/l2_attack.py) and Foolbox 3's
 * L2CarliniWagnerAttack:
 *
 *   x'(w) = (tanh(w) + 1) / 2                          (tanh box: x' is always inside [0, 1])
 *   minimise over w:  ||x'(w) - x~||_2^2 + c * f(x'(w))
 *   untargeted f = max(Z_y - max_{k != y} Z_k + kappa, 0)
 *   targeted   f = max(max_{k != t} Z_k - Z_t + kappa, 0)        (Z = logits)
 *
 * Two optimisers (option `optimizer`); both run Adam (beta1 0.9, beta2 0.999, epsilon 1e-8,
 * bias-corrected) on w, restarted from w_start for every value of c:
 *
 * 'paper' (exactly this file's behaviour before 'cosine' existed): the reference code's and Foolbox's.
 *   w_start = atanh((2x - 1) * 0.999999), x~ = x'(w_start) (the reference code's reconstruction),
 *   constant learning rate lr (default 0.01), 1000 steps by default. Pixels at exactly 0 or 1 start
 *   at |w| = 7.25 where dx'/dw = (1 - tanh^2 w) / 2 ~ 1e-6; Adam moves w by about lr per step, so at
 *   lr 0.01 they need hundreds of steps before they move at all. On mnist-cnn (first 200 test images)
 *   it fooled 11 of 199 digits with 50 steps per c and 80 with 100 (rlab eval, 9 search steps).
 *   Foolbox 3 does the same (x * 0.999999 before arctanh); torchattacks clamps 2x - 1 to [-1, 1], so
 *   its pixels at 0 or 1 start at w = -/+inf and never move.
 * 'cosine' (default): the same objective and binary search, three changes for small budgets:
 *   - start with a margin: w_start = atanh(2 clip(x, m, 1 - m) - 1) (times 0.999999) with m = 0.01, so
 *     |w_start| <= 2.3 and every pixel responds from the first step (the idea of Foolbox's and ART's
 *     0.999999 smoother, with a margin that matters at the learning rates below);
 *   - the distance term is ||x' - x||^2 to x itself, not to x~, so the margin costs nothing at the
 *     optimum: pixels the attack does not need are pulled back to 0 or 1;
 *   - a larger learning rate with cosine decay within each value of c (as in SGDR, Loshchilov & Hutter
 *     2017): lr_t = lr_min + (lr - lr_min) (1 + cos(pi t / steps)) / 2, lr default 0.2 and
 *     lr_min = lr / 100. The large early steps find an adversarial in tens of steps, the small late
 *     ones shrink it; ART's CarliniL2Method reaches a similar speed with a line search on the step.
 *   Default 100 steps per c: on mnist-cnn with 9 search steps it fools every digit at 50 or 100
 *   steps with a median L2 at least as small as 'paper' reaches with 1000 (see cw.test.ts and the
 *   commit message for the measurements).
 * Early abort (default on, both optimisers): every ceil(steps / 10) iterations the batch loss must
 * have fallen below 0.9999 times its value at the previous check.
 *
 * Binary search on c, per image, binarySearchSteps times (default 9), starting at c0 = 1e-3: the
 * reference code's and Foolbox's INITIAL_CONST. (ART's CarliniL2Method starts at 0.01 and replaces
 * Adam by its own line search; torchattacks' CW uses a fixed c = 1 without a search.) After a step
 * where an adversarial was found: upper = min(upper, c), c = (lower + upper) / 2; otherwise
 * lower = max(lower, c) and c = (lower + upper) / 2 if an upper bound is known, else c * 10. With 10 or
 * more search steps the last one uses c = min(upper, 1e10), as in the reference code.
 *
 * An iterate counts as adversarial with the confidence margin (reference code's compare():
 * argmax(Z + kappa e_y) != y, targeted argmax(Z - kappa e_t) == t); the smallest such one in L2
 * distance to x (over all iterations and search steps) is returned; x itself where none was found.
 * Defaults: 100 Adam steps per c ('paper': 1000; the reference code and Foolbox: 10000, with early
 * abort), kappa 0.
 * Trace: every Adam iterate, loss = ||x' - x~||^2 + c f (the image's own c).
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { finish, prepare, readFloats, Recorder, selectPerImage } from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type CwSpec, resolveCw } from './cw-def';
export { type CwSpec, type ResolvedCw, resolveCw, cw } from './cw-def';

/** The 'cosine' optimiser's start margin: x is clipped to [m, 1 - m] before atanh. */
export const CW_BOX_MARGIN = 0.01;

export async function runCw(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: CwSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveCw(spec);
  const p = await prepare(clf, x, y, s.target);
  const { n, k } = p;
  const targeted = p.targets !== null;
  const cls = p.targets ?? p.labels;
  const rec = new Recorder(p, hooks);
  const queries = new Int32Array(n).fill(p.queries);
  const kept: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T): T => {
    kept.push(t);
    return t;
  };
  const oneHot = keep(tf.tidy(() => tf.oneHot(tf.tensor1d(cls, 'int32'), k).toFloat() as tf.Tensor2D));
  const paper = s.optimizer === 'paper';
  const start = paper ? x : keep(tf.clipByValue(x, CW_BOX_MARGIN, 1 - CW_BOX_MARGIN) as tf.Tensor4D);
  const w0 = keep(tf.tidy(() => tf.atanh(tf.mul(tf.sub(tf.mul(start, 2), 1), 0.999999)) as tf.Tensor4D));
  // the point the distance term measures from: the reference code's reconstruction x~ ('paper'), x itself ('cosine')
  const xRec = paper ? keep(tf.tidy(() => tf.div(tf.add(tf.tanh(w0), 1), 2) as tf.Tensor4D)) : x;
  const lrMin = s.lr / 100;
  const lrAt = (it: number): number => (paper ? s.lr : lrMin + ((s.lr - lrMin) * (1 + Math.cos((Math.PI * it) / s.steps))) / 2);
  let best: tf.Tensor4D = tf.clone(x);
  const bestL2 = new Float32Array(n).fill(Infinity);
  const lower = new Float64Array(n);
  const upper = new Float64Array(n).fill(1e10);
  const c = new Float64Array(n).fill(s.c0);
  let gradients = 0;
  const isAdv = (z: Float32Array, i: number): boolean => {
    const t = cls[i];
    let arg = -1;
    let v = -Infinity;
    for (let j = 0; j < k; j++) {
      const zj = z[i * k + j] + (j === t ? (targeted ? -s.confidence : s.confidence) : 0);
      if (zj > v) {
        v = zj;
        arg = j;
      }
    }
    return targeted ? arg === t && t !== p.labels[i] : arg !== t;
  };
  try {
    for (let bs = 0; bs < s.binarySearchSteps; bs++) {
      if (s.binarySearchSteps >= 10 && bs === s.binarySearchSteps - 1) for (let i = 0; i < n; i++) c[i] = Math.min(upper[i], 1e10);
      const cT = tf.tensor1d(Float32Array.from(c));
      let mod: tf.Tensor4D = tf.zerosLike(x);
      let m: tf.Tensor4D = tf.zerosLike(x);
      let v: tf.Tensor4D = tf.zerosLike(x);
      const foundHere = new Uint8Array(n);
      try {
        let prev = Infinity;
        const check = Math.ceil(s.steps / 10);
        for (let it = 0; it < s.steps; it++) {
          await rec.checkpoint();
          let xa: tf.Tensor4D | null = null;
          let zK: tf.Tensor | null = null;
          let perK: tf.Tensor | null = null;
          let totalK: tf.Scalar | null = null;
          let gradK: tf.Tensor4D | null = null;
          let out: { grad: tf.Tensor4D; z: Float32Array; per: Float32Array; total: number };
          try {
            const { value, grad } = tf.valueAndGrad((mm: tf.Tensor) => {
              const xx = tf.div(tf.add(tf.tanh(tf.add(w0, mm)), 1), 2) as tf.Tensor4D;
              const l2 = tf.sum(tf.square(tf.sub(xx, xRec)), [1, 2, 3]);
              const z = clf.logits(xx);
              const real = tf.sum(tf.mul(z, oneHot), 1);
              const other = tf.max(tf.sub(tf.mul(z, tf.sub(1, oneHot)), tf.mul(oneHot, 1e4)), 1);
              const f = tf.relu(tf.add(targeted ? tf.sub(other, real) : tf.sub(real, other), s.confidence));
              const per = tf.add(l2, tf.mul(cT, f));
              xa = tf.keep(xx);
              zK = tf.keep(z);
              perK = tf.keep(per);
              return tf.sum(per) as tf.Scalar;
            })(mod);
            totalK = value;
            gradK = grad as tf.Tensor4D;
            const [zd, perd, totald] = await Promise.all([
              (zK as tf.Tensor | null)!.data(),
              (perK as tf.Tensor | null)!.data(),
              value.data(),
            ]);
            out = { grad: gradK, z: Float32Array.from(zd), per: Float32Array.from(perd), total: totald[0] };
          } catch (e) {
            (xa as tf.Tensor | null)?.dispose();
            gradK?.dispose();
            throw e;
          } finally {
            (zK as tf.Tensor | null)?.dispose();
            (perK as tf.Tensor | null)?.dispose();
            totalK?.dispose();
          }
          gradients++;
          for (let i = 0; i < n; i++) queries[i]++;
          // Adam step on the modifier
          const t = it + 1;
          const lr = lrAt(it);
          const g = out.grad;
          const [m2, v2, mod2] = tf.tidy(() => {
            const mm = tf.add(tf.mul(m, 0.9), tf.mul(g, 0.1)) as tf.Tensor4D;
            const vv = tf.add(tf.mul(v, 0.999), tf.mul(tf.square(g), 0.001)) as tf.Tensor4D;
            const mHat = tf.div(mm, 1 - Math.pow(0.9, t));
            const vHat = tf.div(vv, 1 - Math.pow(0.999, t));
            return [mm, vv, tf.sub(mod, tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), 1e-8)), lr)) as tf.Tensor4D];
          });
          g.dispose();
          m.dispose();
          v.dispose();
          mod.dispose();
          m = m2;
          v = v2;
          mod = mod2;
          const cur = xa! as tf.Tensor4D;
          try {
            if (s.abortEarly && it % check === 0) {
              if (!(out.total <= 0.9999 * prev)) break;
              prev = out.total;
            }
            rec.record(bs, out.z, out.per);
            const dist = await readFloats(tf.tidy(() => tf.sqrt(tf.sum(tf.square(tf.sub(cur, x)), [1, 2, 3]))));
            const better = new Uint8Array(n);
            for (let i = 0; i < n; i++) {
              if (isAdv(out.z, i)) {
                foundHere[i] = 1;
                if (dist[i] < bestL2[i]) {
                  bestL2[i] = dist[i];
                  better[i] = 1;
                }
              }
            }
            if (better.some((b) => b === 1)) {
              const prevBest = best;
              best = selectPerImage(better, cur, prevBest);
              prevBest.dispose();
            }
          } finally {
            cur.dispose();
          }
        }
      } finally {
        tf.dispose([cT, mod, m, v]);
      }
      for (let i = 0; i < n; i++) {
        if (foundHere[i]) {
          upper[i] = Math.min(upper[i], c[i]);
          if (upper[i] < 1e9) c[i] = (lower[i] + upper[i]) / 2;
        } else {
          lower[i] = Math.max(lower[i], c[i]);
          c[i] = upper[i] < 1e9 ? (lower[i] + upper[i]) / 2 : c[i] * 10;
        }
      }
    }
    const adv = tf.tidy(() => tf.clipByValue(best, 0, 1) as tf.Tensor4D);
    best.dispose();
    const success = Uint8Array.from(bestL2, (d) => (Number.isFinite(d) ? 1 : 0));
    return await finish(clf, x, adv, p, rec, { gradientEvaluations: gradients, queries, success });
  } catch (e) {
    best.dispose();
    throw e;
  } finally {
    tf.dispose(kept);
  }
}
