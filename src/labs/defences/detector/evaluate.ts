/**
 * The feature-squeezing detector evaluated on a model and an attack (algorithms/squeezing.ts holds the
 * detector itself): the threshold at a target false positive rate on clean held-out test images, the
 * attack on the clean-correct images of the attacked range (naive, or adaptive with BPDA through the
 * squeezers), the ROC of clean (negative) against successful adversarial (positive) scores and its AUC,
 * and the detection rate. One function for `rlab detect` and the lab's `detect` worker job.
 *
 * Conventions (as rlab eval): a clean image the model already gets wrong is not attacked; it counts as
 * broken unless the detector flags it. robust_accuracy_undetected counts an image as safe when it is
 * classified correctly or flagged ("misclassified and not detected" is the attacker's criterion).
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor } from '../../../core/data/batches';
import type { LabeledImages } from '../../../core/data/types';
import type { InputTransform } from '../../../core/defences/transform';
import type { Classifier } from '../../../core/models/classifier';
import { runAttack, type AttackSpec } from '../../attacks/index';
import { adaptiveSqueezeAttack, roc, squeezeScores, thresholdAtFpr } from '../algorithms/squeezing';

export interface DetectorRun {
  squeezers: readonly InputTransform[];
  fpr: number;
  /** Attacked test images start .. start + n - 1. */
  start: number;
  n: number;
  /** Clean held-out images: the last cleanN of the split. */
  cleanN: number;
  adaptive: 'none' | 'bpda';
  batchSize: number;
  signal?: AbortSignal;
  /** Images done of each phase (threshold, then attack). */
  onProgress?: (phase: 'threshold' | 'attack', done: number, total: number) => void;
}

export interface DetectorResult {
  threshold: number;
  fprMeasured: number;
  cleanStart: number;
  cleanN: number;
  n: number;
  cleanCorrect: number;
  successful: number;
  detected: number;
  detectionRate: number | null;
  auc: number | null;
  robustAccuracy: number;
  robustAccuracyUndetected: number;
  /** ROC points [fpr, tpr], at most ~200, ending at (1, 1). */
  roc: [number, number][];
  /** The scores behind the ROC: clean held-out and successful adversarial ones. */
  cleanScores: number[];
  adversarialScores: number[];
}

/** Attacks whose steps the adaptive detector attack (PGD with BPDA) can take. */
export const ADAPTIVE_DETECTOR_ATTACKS = ['pgd', 'bim', 'fgsm'];

/** Why the settings cannot run, or null. */
export function detectorRunError(
  split: { n: number },
  spec: AttackSpec,
  r: Pick<DetectorRun, 'start' | 'n' | 'cleanN' | 'adaptive'>,
): string | null {
  if (r.start + r.n > split.n) return `the attacked images ${r.start}..${r.start + r.n - 1} go past the test set's ${split.n} images`;
  if (r.cleanN >= split.n) return `the clean held-out images (${r.cleanN}) must be fewer than the test set's ${split.n}`;
  const cleanStart = split.n - r.cleanN;
  if (cleanStart < r.start + r.n)
    return `the clean held-out images ${cleanStart}..${split.n - 1} overlap the attacked images ${r.start}..${r.start + r.n - 1}: attack fewer images or use fewer clean ones`;
  if (r.adaptive === 'bpda' && !ADAPTIVE_DETECTOR_ATTACKS.includes(spec.name))
    return 'the adaptive attack on the detector is PGD with BPDA through the squeezers: choose PGD (or BIM, FGSM)';
  return null;
}

const cancelled = () => new Error('detector evaluation cancelled');

export async function evaluateDetector(clf: Classifier, test: LabeledImages, spec: AttackSpec, r: DetectorRun): Promise<DetectorResult> {
  const problem = detectorRunError(test, spec, r);
  if (problem) throw new Error(problem);
  const { squeezers, batchSize, start, n } = r;
  const cleanStart = test.n - r.cleanN;

  // the threshold: scores of the clean held-out images
  const cleanScores: number[] = [];
  for (let b = cleanStart; b < test.n; b += batchSize) {
    if (r.signal?.aborted) throw cancelled();
    const idx = Array.from({ length: Math.min(batchSize, test.n - b) }, (_, i) => b + i);
    const { x, y } = batchTensor(test, idx);
    try {
      cleanScores.push(...(await squeezeScores(clf, x, squeezers)));
    } finally {
      tf.dispose([x, y]);
    }
    r.onProgress?.('threshold', cleanScores.length, r.cleanN);
  }
  const threshold = thresholdAtFpr(cleanScores, r.fpr);
  const fprMeasured = cleanScores.filter((v) => v > threshold).length / cleanScores.length;

  // the attack on the clean-correct images of the attacked range
  let cleanCorrect = 0;
  let robust = 0;
  let robustUndetected = 0;
  let successful = 0;
  let detected = 0;
  const positives: number[] = [];
  for (let b = start; b < start + n; b += batchSize) {
    if (r.signal?.aborted) throw cancelled();
    const idx = Array.from({ length: Math.min(batchSize, start + n - b) }, (_, i) => b + i);
    const { x, y } = batchTensor(test, idx);
    let xs: tf.Tensor4D | null = null;
    let adv: tf.Tensor4D | null = null;
    try {
      const labels = (await y.data()) as Int32Array;
      const predT = tf.tidy(() => tf.argMax(clf.logits(x), 1));
      const pred = await predT.data();
      predT.dispose();
      const cleanScore = await squeezeScores(clf, x, squeezers);
      const correct: number[] = [];
      for (let i = 0; i < idx.length; i++) {
        if (pred[i] === labels[i]) correct.push(i);
        // a misclassified clean image is not attacked: it is an error unless the detector flags it
        else if (cleanScore[i] > threshold) robustUndetected++;
      }
      cleanCorrect += correct.length;
      if (correct.length > 0) {
        const sel = tf.tensor1d(correct, 'int32');
        xs = tf.gather(x, sel) as tf.Tensor4D;
        sel.dispose();
        const ys = Int32Array.from(correct, (i) => labels[i]);
        const seed = (spec.seed ?? 0) + b;
        if (r.adaptive === 'bpda') {
          const s = spec as AttackSpec & { steps?: number; stepSize?: number; randomStart?: boolean; eps: number };
          adv = await adaptiveSqueezeAttack(clf, xs, ys, squeezers, threshold, {
            norm: spec.norm === 'l2' ? 'l2' : 'linf',
            eps: s.eps,
            steps: spec.name === 'fgsm' ? 1 : (s.steps ?? 40),
            stepSize: spec.name === 'fgsm' ? s.eps : (s.stepSize ?? s.eps / 4),
            randomStart: !!s.randomStart,
            seed,
          });
        } else {
          const out = await runAttack(clf, xs, ys, { ...spec, seed }, { keepTrace: false, signal: r.signal });
          adv = out.adversarial;
        }
        const advPredT = tf.tidy(() => tf.argMax(clf.logits(adv!), 1));
        const advPred = await advPredT.data();
        advPredT.dispose();
        const scores = await squeezeScores(clf, adv, squeezers);
        for (let j = 0; j < ys.length; j++) {
          const fooled = advPred[j] !== ys[j];
          const flagged = scores[j] > threshold;
          if (!fooled) robust++;
          if (!fooled || flagged) robustUndetected++;
          if (fooled) {
            successful++;
            positives.push(scores[j]);
            if (flagged) detected++;
          }
        }
      }
    } finally {
      tf.dispose([x, y]);
      xs?.dispose();
      adv?.dispose();
    }
    r.onProgress?.('attack', Math.min(b + batchSize, start + n) - start, n);
  }
  const curve = roc(cleanScores, positives);
  const stride = Math.max(1, Math.ceil(curve.points.length / 200));
  return {
    threshold,
    fprMeasured,
    cleanStart,
    cleanN: r.cleanN,
    n,
    cleanCorrect,
    successful,
    detected,
    detectionRate: successful > 0 ? detected / successful : null,
    auc: Number.isNaN(curve.auc) ? null : curve.auc,
    robustAccuracy: robust / n,
    robustAccuracyUndetected: robustUndetected / n,
    roc: curve.points
      .filter((_, i) => i % stride === 0 || i === curve.points.length - 1)
      .map((p) => [Number(p.fpr.toFixed(4)), Number(p.tpr.toFixed(4))] as [number, number]),
    cleanScores,
    adversarialScores: positives,
  };
}
