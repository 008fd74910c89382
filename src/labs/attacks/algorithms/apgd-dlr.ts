/**
 * APGD-DLR, Auto-PGD on the untargeted DLR loss (Croce & Hein 2020, Sec. 3-4), L-inf and L2: the
 * iterations, step-size rule, momentum (alpha = 0.75), initial step 2 eps, random start and restarts
 * of APGD-CE (apgd.ts), with f = DLR(logits, y) (core/adversarial/dlr.ts) in place of the
 * cross-entropy. Goal: misclassification. Needs at least 3 classes.
 *
 * Convention: the authors' reference code (AutoAttack's APGDAttack with loss='dlr': n_iter 100,
 * rho 0.75, eta_0 = 2 eps in both L-inf and L2, the AutoAttack random start), except where
 * apgd.ts follows the paper's text, so that APGD-CE and APGD-DLR share one loop: Condition 1 with <
 * (code: <=); Condition 2 also at the first checkpoint (code: never); after a halving the loss
 * history continues from f_max (code: from the loss before the reset); the first window counts
 * f(x^1) > f(x^0) (code: f(x^1) > 0, reading a not yet written row); checkpoints from the p_j
 * formula (the code's int(0.22 N) etc. give the same ones for N_iter = 100). Restarts (default 1,
 * as AutoAttack's standard version; "plus" uses 5) rerun every image here; the reference reruns
 * only the images still robust, so later restarts draw other starts. torchattacks' APGD(loss='dlr') ports the same code; ART's
 * AutoProjectedGradientDescent (loss_type='difference_logits_ratio') is its own port of the
 * algorithm (not compared here), and its DLR has no 1e-12 in the denominator.
 * Trace: every evaluated iterate, loss = DLR; `restart` = restart index.
 */
/**
 * APGD-DLR, Auto-PGD on the untargeted DLR loss (Croce & Hein 2020, Sec. 3-4), L-inf and L2: the
 * iterations, step-size rule, momentum (alpha = 0.75), initial step 2 eps, random start and restarts
 * of APGD-CE (apgd.ts), with f = DLR(logits, y) (core/adversarial/dlr.ts) in place of the
 * cross-entropy. Goal: misclassification. Needs at least 3 classes.
 *
 * Convention: the authors' reference code (AutoAttack's APGDAttack with loss='dlr': n_iter 100,
 * rho 0.75, eta_0 = 2 eps in both L-inf and L2, the AutoAttack random start), except where
 * apgd.ts follows the paper's text, so that APGD-CE and APGD-DLR share one loop: Condition 1 with <
 * (code: <=); Condition 2 also at the first checkpoint (code: never); after a halving the loss
 * history continues from f_max (code: from the loss before the reset); the first window counts
 * f(x^1) > f(x^0) (code: f(x^1) > 0, reading a not yet written row); checkpoints from the p_j
 * formula (the code's int(0.22 N) etc. give the same ones for N_iter = 100). Restarts (default 1,
 * as AutoAttack's standard version; "plus" uses 5) rerun every image here; the reference reruns
 * only the images still robust, so later restarts draw other starts. torchattacks' APGD(loss='dlr') ports the same code; ART's
 * AutoProjectedGradientDescent (loss_type='difference_logits_ratio') is its own port of the
 * algorithm (not compared here), and its DLR has no 1e-12 in the denominator.
 * Trace: every evaluated iterate, loss = DLR; `restart` = restart index.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { invalid, prepare } from '../../../core/adversarial/common';
import { dlrLoss } from '../../../core/adversarial/dlr';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { runApgdRestarts } from './apgd';
import { type ApgdDlrSpec, resolveApgdDlr } from './apgd-dlr-def';
export { type ApgdDlrSpec, type ResolvedApgdDlr, resolveApgdDlr, apgdDlr } from './apgd-dlr-def';

export async function runApgdDlr(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: ApgdDlrSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveApgdDlr(spec);
  if (clf.numClasses < 3) invalid(`apgd-dlr needs at least 3 classes, the model has ${clf.numClasses}`);
  const p = await prepare(clf, x, y, undefined);
  const labels = tf.tensor1d(p.labels, 'int32');
  try {
    return await runApgdRestarts(clf, x, p, s, (z) => dlrLoss(z, labels), hooks);
  } finally {
    labels.dispose();
  }
}
