/**
 * The loop shared by FGSM, BIM, PGD and MI-FGSM: gradient ascent on the cross-entropy of the logits
 * (targeted: descent on the cross-entropy of the target class), one normalised step per iteration,
 * projection onto the eps ball and [0, 1] after every step.
 *
 *   g_t     = grad_x J(x_t)                       J = CE(z, y)   or, targeted, -CE(z, t)
 *   m_t     = mu * m_{t-1} + g_t / ||g_t||_1      (MI-FGSM only; otherwise m_t = g_t)
 *   x_{t+1} = P( x_t + stepSize * dir(m_t) )      dir = sign (L-inf) or m / ||m||_2 (L2)
 *
 * Restarts: an image counts as broken as soon as one restart's final iterate reaches the goal, and
 * that iterate is kept; otherwise the last restart's iterate is returned.
 * Trace: the record of iterate t carries the loss J(x_t).
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
  type Prepared,
  project,
  randomStart,
  reached,
  Recorder,
} from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome, Norm } from '../../../core/adversarial/types';

export interface IterativeConfig {
  norm: Norm;
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
  /** MI-FGSM decay factor mu; null = plain gradient steps. */
  momentum: number | null;
}

export async function runIterative(
  clf: Classifier,
  x: tf.Tensor4D,
  p: Prepared,
  cfg: IterativeConfig,
  hooks?: AttackHooks,
  legacyOnStep?: (step: number, meanLoss: number) => void,
): Promise<AttackOutcome> {
  const { n, k } = p;
  const classes = tf.tensor1d(p.targets ?? p.labels, 'int32');
  const targeted = p.targets !== null;
  const objective = (z: tf.Tensor2D): tf.Tensor1D =>
    targeted ? tf.tidy(() => tf.neg(crossEntropyPerImage(z, classes))) : crossEntropyPerImage(z, classes);
  const box = cfg.norm === 'linf' ? linfBox(x, cfg.eps) : undefined;
  const rec = new Recorder(p, hooks);
  const rng = new Rng(cfg.seed);
  const success = new Uint8Array(n);
  const queries = new Int32Array(n).fill(p.queries);
  let best: tf.Tensor4D | null = null;
  let bestLogits: Float32Array | null = null;
  let gradients = 0;
  try {
    for (let r = 0; r < cfg.restarts; r++) {
      const seed = rng.seed();
      let adv = cfg.randomStart ? randomStart(x, cfg.norm, cfg.eps, seed) : tf.clone(x);
      let m: tf.Tensor4D | null = cfg.momentum !== null ? tf.zerosLike(x) : null;
      try {
        for (let step = 1; step <= cfg.steps; step++) {
          await rec.checkpoint();
          const { grad, logits, loss } = await gradWithLogits(clf, adv, objective);
          gradients++;
          for (let i = 0; i < n; i++) queries[i]++;
          let dir: tf.Tensor4D = grad;
          if (m) {
            const mu = cfg.momentum!;
            const prev: tf.Tensor4D = m;
            m = tf.tidy(() => tf.add(tf.mul(prev, mu), tf.div(grad, tf.add(tf.sum(tf.abs(grad), [1, 2, 3], true), 1e-12))) as tf.Tensor4D);
            prev.dispose();
            dir = m;
          }
          const cur = adv;
          const next = tf.tidy(() => {
            const s = cfg.norm === 'linf' ? exactSign(dir) : normalizeL2(dir);
            return project(tf.add(cur, tf.mul(s, cfg.stepSize)) as tf.Tensor4D, x, cfg.norm, cfg.eps, box);
          });
          grad.dispose();
          adv.dispose();
          adv = next;
          rec.record(r, logits, loss);
          if (legacyOnStep) legacyOnStep(step, loss.reduce((s, v) => s + v, 0) / n);
        }
        await rec.checkpoint();
        const final = adv;
        const [zT, lT] = tf.tidy(() => {
          const zz = clf.logits(final);
          return [zz, objective(zz)];
        });
        let z: Float32Array;
        let l: Float32Array;
        try {
          const [zd, ld] = await Promise.all([zT.data(), lT.data()]);
          z = Float32Array.from(zd);
          l = Float32Array.from(ld);
        } finally {
          tf.dispose([zT, lT]);
        }
        for (let i = 0; i < n; i++) queries[i]++;
        rec.record(r, z, l);
        if (!best || !bestLogits) {
          best = adv;
          bestLogits = z;
        } else {
          const merged = tf.tidy(() => {
            const keep = tf.tensor4d(Float32Array.from(success), [n, 1, 1, 1]);
            return tf.add(tf.mul(best!, keep), tf.mul(final, tf.sub(1, keep))) as tf.Tensor4D;
          });
          for (let i = 0; i < n; i++) if (!success[i]) bestLogits.set(z.subarray(i * k, (i + 1) * k), i * k);
          best.dispose();
          adv.dispose();
          best = merged;
        }
        adv = best;
        for (let i = 0; i < n; i++) {
          let arg = 0;
          for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + arg]) arg = c;
          if (reached(p, i, arg)) success[i] = 1;
        }
      } catch (e) {
        if (adv !== best) adv.dispose();
        throw e;
      } finally {
        m?.dispose();
      }
      if (success.every((s) => s === 1)) break;
    }
    return await finish(clf, x, best!, p, rec, { gradientEvaluations: gradients, queries, logits: bestLogits! });
  } catch (e) {
    best?.dispose();
    throw e;
  } finally {
    classes.dispose();
    box?.lo.dispose();
    box?.hi.dispose();
  }
}
