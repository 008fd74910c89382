/**
 * Feature squeezing (Xu, Evans & Qi, NDSS 2018, "Feature Squeezing: Detecting Adversarial Examples in
 * Deep Neural Networks"), as the authors' EvadeML-Zoo computes it:
 * - score(x) = max over squeezers s of || softmax(f(x)) - softmax(f(s(x))) ||_1 (the joint detector);
 * - the threshold is chosen on legitimate held-out images at a target false positive rate: the scores
 *   sorted ascending, threshold = the one at index ceil(n * (1 - fpr)) - 1 (EvadeML-Zoo's
 *   `get_tpr_fpr`-style selection), and an input is flagged when its score is above it;
 * - detection rate per attack over the successful adversarial examples (misclassified adversarial
 *   versions of correctly classified images), ROC and its AUC over legitimate (negative) against
 *   successful adversarial (positive) scores.
 * The authors' MNIST set-up: squeezers 1-bit depth and 2 x 2 median, 5% FPR. The squeezers are each
 * applied alone (a list, not a composition).
 *
 * The adaptive attack (the criterion is "misclassified and not detected"): L-inf or L2 PGD that
 * drives the input and every squeezed version of it to the same wrong class t (the clean image's most
 * likely other class), with BPDA (identity backward pass) through the squeezers, as He et al. 2017
 * ("Adversarial Example Defenses: Ensembles of Weak Defenses Are Not Strong") attack feature
 * squeezing: when f(x) and every f(s(x)) put their mass on t, the L1 distances, and so the score,
 * are small. Objective per image, descended: the sum over {x, s_1(x), ...} of
 * max(max_{j != t} z_j - z_t, -kappa). Every iterate is checked with the exact squeezers; the first
 * one that is misclassified with a score under the threshold is kept.
 */
import * as tf from '@tensorflow/tfjs';
import { exactSign, linfBox, normalizeL2, project, randomStart, readFloats } from '../../../core/adversarial/common';
import type { InputTransform } from '../../../core/defences/transform';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';

/** The squeezers' joint score per image (the largest L1 distance between softmax outputs); differentiable with `bpda`. */
export function squeezeScoreTensor(
  clf: Classifier,
  x: tf.Tensor4D,
  squeezers: readonly InputTransform[],
  bpda = false,
  rng = new Rng(0),
): tf.Tensor1D {
  return tf.tidy(() => {
    const p = tf.softmax(clf.logits(x));
    const dists = squeezers.map((s) => {
      const squeezed = bpda ? identityBackward(s, rng)(x) : s.apply(x, rng);
      return tf.sum(tf.abs(tf.sub(p, tf.softmax(clf.logits(squeezed)))), 1);
    });
    return tf.max(tf.stack(dists, 1), 1) as tf.Tensor1D;
  });
}

const identityBackward = (s: InputTransform, rng: Rng) =>
  tf.customGrad(((x: tf.Tensor) => ({
    value: s.apply(x as tf.Tensor4D, rng),
    gradFunc: (dy: tf.Tensor) => dy,
  })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (x: tf.Tensor4D) => tf.Tensor4D;

/** Scores of a batch, read back. */
export async function squeezeScores(clf: Classifier, x: tf.Tensor4D, squeezers: readonly InputTransform[]): Promise<Float32Array> {
  return readFloats(squeezeScoreTensor(clf, x, squeezers));
}

/** The threshold at a target false positive rate on legitimate scores (flagged: score > threshold). */
export function thresholdAtFpr(clean: ArrayLike<number>, fpr: number): number {
  if (clean.length === 0) throw new Error('the threshold needs clean scores');
  if (!(fpr >= 0 && fpr < 1)) throw new Error(`fpr ${fpr} is not in [0, 1)`);
  const s = Float64Array.from(clean).sort();
  const idx = Math.max(0, Math.ceil(s.length * (1 - fpr)) - 1);
  return s[idx];
}

/** ROC points (false positive rate, true positive rate) over every threshold, and the AUC (ties count one half). */
export function roc(
  negatives: ArrayLike<number>,
  positives: ArrayLike<number>,
): { points: { fpr: number; tpr: number; threshold: number }[]; auc: number } {
  const neg = Array.from(negatives);
  const pos = Array.from(positives);
  if (neg.length === 0 || pos.length === 0) return { points: [], auc: NaN };
  const thresholds = [...new Set([...neg, ...pos])].sort((a, b) => b - a);
  const points = [{ fpr: 0, tpr: 0, threshold: Infinity }];
  for (const t of thresholds)
    points.push({ fpr: neg.filter((v) => v >= t).length / neg.length, tpr: pos.filter((v) => v >= t).length / pos.length, threshold: t });
  // AUC = P(score of a positive > score of a negative) + 1/2 P(equal) (Mann-Whitney)
  const sortedNeg = Float64Array.from(neg).sort();
  let wins = 0;
  for (const v of pos) {
    let lo = 0;
    let hi = sortedNeg.length;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (sortedNeg[m] < v) lo = m + 1;
      else hi = m;
    }
    let eq = lo;
    while (eq < sortedNeg.length && sortedNeg[eq] === v) eq++;
    wins += lo + (eq - lo) / 2;
  }
  return { points, auc: wins / (pos.length * neg.length) };
}

export interface AdaptiveSpec {
  norm: 'linf' | 'l2';
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  seed: number;
  /** Logit margin beyond which the target's lead no longer counts (10). */
  kappa?: number;
}

/**
 * PGD against classifier + detector (BPDA through the squeezers). Returns the adversarial batch (the
 * first iterate per image that is misclassified and under the threshold, else the last iterate).
 */
export async function adaptiveSqueezeAttack(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array,
  squeezers: readonly InputTransform[],
  threshold: number,
  spec: AdaptiveSpec,
  onStep?: (step: number) => void,
  signal?: AbortSignal,
): Promise<tf.Tensor4D> {
  const n = x.shape[0];
  const k = clf.numClasses;
  const kappa = spec.kappa ?? 10;
  const rng = new Rng(spec.seed);
  // the common wrong class: the clean image's most likely other class
  const zc = await readFloats(tf.tidy(() => clf.logits(x)));
  const target = tf.tensor1d(
    Int32Array.from({ length: n }, (_, i) => {
      let best = -1;
      for (let c = 0; c < k; c++) if (c !== y[i] && (best < 0 || zc[i * k + c] > zc[i * k + best])) best = c;
      return best;
    }),
    'int32',
  );
  const box = spec.norm === 'linf' ? linfBox(x, spec.eps) : null;
  let adv = spec.randomStart ? randomStart(x, spec.norm, spec.eps, spec.seed) : (tf.clone(x) as tf.Tensor4D);
  let best = tf.clone(x) as tf.Tensor4D;
  const done = new Uint8Array(n);
  try {
    for (let step = 0; step <= spec.steps; step++) {
      if (signal?.aborted) throw new Error('the adaptive attack was cancelled');
      // the margin and the score of the iterate decide which term each image descends
      const [z, score] = tf.tidy(() => [clf.logits(adv), squeezeScoreTensor(clf, adv, squeezers)]);
      const [zv, sv] = await Promise.all([readFloats(z), readFloats(score)]);
      const margin = new Float32Array(n);
      const newly = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        let other = -Infinity;
        for (let c = 0; c < k; c++) if (c !== y[i]) other = Math.max(other, zv[i * k + c]);
        margin[i] = zv[i * k + y[i]] - other;
        if (!done[i] && margin[i] < 0 && sv[i] <= threshold) newly[i] = done[i] = 1;
      }
      if (newly.some((v) => v)) {
        const m = tf.tensor4d(Float32Array.from(newly), [n, 1, 1, 1]);
        const next = tf.tidy(() => tf.add(tf.mul(adv, m), tf.mul(best, tf.sub(1, m))) as tf.Tensor4D);
        m.dispose();
        best.dispose();
        best = next;
      }
      onStep?.(step);
      if (step === spec.steps || done.every((v) => v)) break;
      const grad = tf.tidy(() =>
        tf.grad((a: tf.Tensor) => {
          const aa = a as tf.Tensor4D;
          const oneT = tf.oneHot(target, k);
          const targetMargin = (zz: tf.Tensor2D) =>
            tf.maximum(tf.sub(tf.max(tf.sub(zz, tf.mul(oneT, 1e9)), 1), tf.sum(tf.mul(zz, oneT), 1)), -kappa);
          let j = targetMargin(clf.logits(aa));
          for (const s of squeezers) j = tf.add(j, targetMargin(clf.logits(identityBackward(s, rng)(aa))));
          return tf.sum(j) as tf.Scalar;
        })(adv),
      );
      const next = tf.tidy(() => {
        const dir = spec.norm === 'linf' ? exactSign(grad) : normalizeL2(grad as tf.Tensor4D);
        return project(tf.sub(adv, tf.mul(dir, spec.stepSize)) as tf.Tensor4D, x, spec.norm, spec.eps, box ?? undefined);
      });
      grad.dispose();
      adv.dispose();
      adv = next;
    }
    // images never successful keep the last iterate
    const m = tf.tensor4d(Float32Array.from(done), [n, 1, 1, 1]);
    const out = tf.tidy(() => tf.add(tf.mul(best, m), tf.mul(adv, tf.sub(1, m))) as tf.Tensor4D);
    m.dispose();
    return out;
  } finally {
    adv.dispose();
    best.dispose();
    target.dispose();
    if (box) tf.dispose([box.lo, box.hi]);
  }
}
