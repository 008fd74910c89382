/**
 * APGD-T, Auto-PGD on the targeted DLR loss over several target classes (Croce & Hein 2020, Sec. 4),
 * L-inf and L2, as AutoAttack's standard version runs it (APGDAttack_targeted: n_target_classes = 9,
 * n_restarts = 1, n_iter = 100, rho = 0.75).
 *
 * Targets: the classes ranked 2nd, 3rd, ..., (targetClasses + 1)-th by the clean logits (targetClasses
 * capped at K - 1; ties ranked by class index). For each target rank in that order, then each restart,
 * one APGD run (apgd.ts: same iterations, step-size rule, momentum, eta_0 = 2 eps, random start)
 * maximises
 *   f = DLR_T(logits, y, t) = -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)
 * on the images still robust; an image is broken, and leaves the later runs, as soon as an iterate is
 * misclassified (any class, as in the authors' code: the target only shapes the loss). Images the
 * model already misclassifies are not attacked (adversarial = x, success 1). Needs K >= 4 classes.
 *
 * Convention: the authors' reference code (autopgd_base.py), except for the corners of the
 * step-size rule where apgd.ts, shared with APGD-CE, follows the paper's text (listed in
 * apgd-dlr.ts). The clean logits are computed once (the reference
 * recomputes them on the robust subset before every target; same ranking). torchattacks' APGDT uses
 * n_classes - 1 target classes by default instead of 9 (the same on 10 classes); ART's
 * AutoProjectedGradientDescent has no APGD-T: targeted=True takes one user-given target and
 * descends the untargeted DLR of that class (no z_pi4 term).
 *
 * Output: per image the latest misclassified iterate of the run that broke it, else x. `targets` is
 * null: the goal is misclassification; the per-run targets are internal.
 * Queries per image: 1 clean pass, N_iter + 1 per run it takes part in, 1 final pass.
 * gradientEvaluations = the most gradient passes any image took (an image still robust at the end
 * took part in every run). Random starts come from the seeded Rng, one seed per run.
 * Trace: every evaluated iterate of every run for the images in that run (others NaN), loss = DLR_T;
 * `restart` = run index (target rank x restarts + restart).
 */
/**
 * APGD-T, Auto-PGD on the targeted DLR loss over several target classes (Croce & Hein 2020, Sec. 4),
 * L-inf and L2, as AutoAttack's standard version runs it (APGDAttack_targeted: n_target_classes = 9,
 * n_restarts = 1, n_iter = 100, rho = 0.75).
 *
 * Targets: the classes ranked 2nd, 3rd, ..., (targetClasses + 1)-th by the clean logits (targetClasses
 * capped at K - 1; ties ranked by class index). For each target rank in that order, then each restart,
 * one APGD run (apgd.ts: same iterations, step-size rule, momentum, eta_0 = 2 eps, random start)
 * maximises
 *   f = DLR_T(logits, y, t) = -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2 + 1e-12)
 * on the images still robust; an image is broken, and leaves the later runs, as soon as an iterate is
 * misclassified (any class, as in the authors' code: the target only shapes the loss). Images the
 * model already misclassifies are not attacked (adversarial = x, success 1). Needs K >= 4 classes.
 *
 * Convention: the authors' reference code (autopgd_base.py), except for the corners of the
 * step-size rule where apgd.ts, shared with APGD-CE, follows the paper's text (listed in
 * apgd-dlr.ts). The clean logits are computed once (the reference
 * recomputes them on the robust subset before every target; same ranking). torchattacks' APGDT uses
 * n_classes - 1 target classes by default instead of 9 (the same on 10 classes); ART's
 * AutoProjectedGradientDescent has no APGD-T: targeted=True takes one user-given target and
 * descends the untargeted DLR of that class (no z_pi4 term).
 *
 * Output: per image the latest misclassified iterate of the run that broke it, else x. `targets` is
 * null: the goal is misclassification; the per-run targets are internal.
 * Queries per image: 1 clean pass, N_iter + 1 per run it takes part in, 1 final pass.
 * gradientEvaluations = the most gradient passes any image took (an image still robust at the end
 * took part in every run). Random starts come from the seeded Rng, one seed per run.
 * Trace: every evaluated iterate of every run for the images in that run (others NaN), loss = DLR_T;
 * `restart` = run index (target rank x restarts + restart).
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';
import { argmaxRows, finish, rankClasses, invalid, prepare, readFloats, Recorder, replaceRows } from '../../../core/adversarial/common';
import { dlrLossTargeted } from '../../../core/adversarial/dlr';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { apgdRun } from './apgd';
import { type ApgdTSpec, resolveApgdT } from './apgd-t-def';
export { type ApgdTSpec, type ResolvedApgdT, resolveApgdT, apgdT } from './apgd-t-def';

export async function runApgdT(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: ApgdTSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveApgdT(spec);
  const k = clf.numClasses;
  if (k < 4) invalid(`apgd-t needs at least 4 classes (targeted DLR loss), the model has ${k}`);
  const p = await prepare(clf, x, y, undefined);
  const { n, labels } = p;
  const rec = new Recorder(p, hooks);
  const rng = new Rng(s.seed);
  const queries = new Int32Array(n).fill(p.queries + 1);
  const clean = await readFloats(tf.tidy(() => clf.logits(x)));
  const ranking = rankClasses(clean, n, k);
  const pred = argmaxRows(clean, n, k);
  const robust = Uint8Array.from(labels, (l, i) => (pred[i] === l ? 1 : 0));
  let gradients = 0;
  let adv = tf.clone(x);
  try {
    let run = 0;
    for (let rank = 1; rank <= Math.min(s.targetClasses, k - 1); rank++) {
      for (let restart = 0; restart < s.restarts; restart++, run++) {
        const rows = Int32Array.from(Array.from(robust.keys()).filter((i) => robust[i] === 1));
        if (rows.length === 0) break;
        const runIndex = run;
        const xs = tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')) as tf.Tensor4D);
        const ys = tf.tensor1d(
          Int32Array.from(rows, (i) => labels[i]),
          'int32',
        );
        const ts = tf.tensor1d(
          Int32Array.from(rows, (i) => ranking[i * k + rank]),
          'int32',
        );
        try {
          const r = await apgdRun(clf, xs, s, rng.seed(), {
            objective: (z) => dlrLossTargeted(z, ys, ts),
            reached: (j, c) => c !== labels[rows[j]],
            checkpoint: () => rec.checkpoint(),
            record: (logits, loss) => rec.record(runIndex, logits, loss, rows),
            evaluated: () => {
              gradients++;
              for (const i of rows) queries[i]++;
            },
          });
          const prev = adv;
          adv = replaceRows(prev, rows, r.found, r.adversarial);
          prev.dispose();
          r.adversarial.dispose();
          r.found.forEach((f, j) => {
            if (f) robust[rows[j]] = 0;
          });
        } finally {
          tf.dispose([xs, ys, ts]);
        }
      }
    }
  } catch (e) {
    adv.dispose();
    throw e;
  }
  return finish(clf, x, adv, p, rec, { gradientEvaluations: gradients, queries });
}
