/**
 * Projected gradient descent, L-inf (Madry et al. 2018), and FGSM (Goodfellow et al. 2015) as its
 * one-step case.
 *
 *   x_0     = x                      or, with a random start, x + U(-eps, eps)^d clipped to [0, 1]
 *   x_{t+1} = clip_[0,1]( proj_{B_inf(x, eps)}( x_t + stepSize * sign(grad_x CE(logits(x_t), y)) ) )
 *
 * With restarts, the image is counted as broken if any restart's final iterate is misclassified, and
 * that iterate is returned; otherwise the last restart's iterate is returned.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../models/classifier';
import { Rng } from '../random';
import { inputGradient } from './loss';
import { AttackCancelled, type AttackOptions, type AttackResult } from './types';

export function validateOptions(o: AttackOptions): void {
  const bad = (what: string) => {
    throw new Error(`invalid attack options: ${what}`);
  };
  if (o.norm !== 'linf') bad(`norm "${o.norm}" is not supported by this attack (linf)`);
  if (!(o.eps >= 0 && o.eps <= 1)) bad(`eps must be in [0, 1], got ${o.eps}`);
  if (!Number.isInteger(o.steps) || o.steps < 1 || o.steps > 100000) bad(`steps must be a whole number >= 1, got ${o.steps}`);
  if (!(o.stepSize > 0 && o.stepSize <= 1)) bad(`step size must be in (0, 1], got ${o.stepSize}`);
  if (!Number.isInteger(o.restarts) || o.restarts < 1 || o.restarts > 1000) bad(`restarts must be a whole number >= 1, got ${o.restarts}`);
  if (!Number.isInteger(o.seed) || o.seed < 0) bad(`seed must be a whole number >= 0, got ${o.seed}`);
}

/** One run from one start; returns the final iterate. */
function pgdRun(clf: Classifier, x: tf.Tensor4D, labels: tf.Tensor1D, o: AttackOptions, seed: number): tf.Tensor4D {
  const lo = tf.tidy(() => tf.maximum(tf.sub(x, o.eps), 0));
  const hi = tf.tidy(() => tf.minimum(tf.add(x, o.eps), 1));
  let adv: tf.Tensor4D = o.randomStart
    ? tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -o.eps, o.eps, 'float32', seed)), 0, 1) as tf.Tensor4D)
    : tf.clone(x);
  try {
    for (let step = 1; step <= o.steps; step++) {
      if (o.signal?.aborted) throw new AttackCancelled();
      const { grad, meanLoss } = inputGradient(clf, adv, labels);
      const next = tf.tidy(() => tf.minimum(tf.maximum(tf.add(adv, tf.mul(tf.sign(grad), o.stepSize)), lo), hi) as tf.Tensor4D);
      grad.dispose();
      adv.dispose();
      adv = next;
      o.onStep?.(step, meanLoss);
    }
    return adv;
  } catch (e) {
    adv.dispose();
    throw e;
  } finally {
    lo.dispose();
    hi.dispose();
  }
}

export function pgd(clf: Classifier, x: tf.Tensor4D, y: Int32Array | number[], options: AttackOptions): AttackResult {
  validateOptions(options);
  const n = x.shape[0];
  const labels = tf.tensor1d(Array.from(y), 'int32');
  const rng = new Rng(options.seed);
  const success = new Uint8Array(n);
  let best: tf.Tensor4D | null = null;
  try {
    for (let r = 0; r < options.restarts; r++) {
      const adv = pgdRun(clf, x, labels, options, rng.seed());
      const pred = tf.tidy(() => tf.argMax(clf.logits(adv), 1).dataSync());
      const fooled = new Uint8Array(n);
      for (let i = 0; i < n; i++) fooled[i] = pred[i] !== labels.dataSync()[i] ? 1 : 0;
      if (!best) {
        best = adv;
      } else {
        // keep, per image, an iterate that already fooled the model; else take this restart's
        const keepOld = tf.tensor1d(Array.from(success), 'bool');
        const merged = tf.tidy(() => tf.where(tf.reshape(keepOld, [n, 1, 1, 1]).tile([1, ...x.shape.slice(1)]), best!, adv) as tf.Tensor4D);
        keepOld.dispose();
        best.dispose();
        adv.dispose();
        best = merged;
      }
      for (let i = 0; i < n; i++) success[i] = success[i] || fooled[i];
      if (success.every((s) => s === 1)) break;
    }
    return { adversarial: best!, success, gradientEvaluations: options.steps * options.restarts };
  } catch (e) {
    best?.dispose();
    throw e;
  } finally {
    labels.dispose();
  }
}

/** FGSM: a single signed step of size eps (optionally from a random start). */
export function fgsm(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  options: Pick<AttackOptions, 'eps' | 'seed' | 'signal'> & { randomStart?: boolean },
): AttackResult {
  return pgd(clf, x, y, {
    norm: 'linf',
    eps: options.eps,
    steps: 1,
    stepSize: Math.max(options.eps, 1e-12),
    randomStart: options.randomStart ?? false,
    restarts: 1,
    seed: options.seed,
    signal: options.signal,
  });
}
