/**
 * AutoAttack, standard version (Croce & Hein 2020, "Reliable evaluation of adversarial robustness
 * with an ensemble of diverse parameter-free attacks"), L-inf and L2, as the authors' autoattack.py
 * runs it (version='standard'):
 *
 *   robust = images the model classifies correctly (clean pass)
 *   for each stage, on the images still robust only:
 *     APGD-CE  100 iterations, 1 restart                      (apgd.ts)
 *     APGD-T   9 target classes, 100 iterations, 1 restart    (apgd-t.ts)
 *     FAB-T    9 target classes, 100 iterations, 1 restart    (fab.ts)
 *     Square   5000 queries, p_init 0.8, 1 restart            (square.ts, L-inf or L2 form)
 *     an image whose stage adversarial is misclassified takes that adversarial and leaves `robust`
 *   robust accuracy = |robust| / n
 *
 * Every stage gets the same seed (the reference passes self.seed to each attack). As in the
 * reference, images misclassified on the clean pass keep x and count as non-robust, and the stages
 * stop once no image is robust (later stages are then absent from the breakdown). The numbers of
 * target classes are capped at K - 1 by APGD-T and FAB-T (the reference only warns); APGD-T needs
 * K >= 4. Other implementations: torchattacks' AutoAttack runs the same four attacks with the same
 * protocol (its MultiAttack wrapper attacks only the images not yet broken) but with n_classes - 1
 * target classes (n_classes default 10, so 9 on 10 classes). ART's AutoAttack is a different
 * ensemble by default: APGD-CE and APGD-DLR with 5 random restarts each, DeepFool and Square with 5
 * restarts, plus targeted runs against every class when targeted=True.
 *
 * Output: `success` = not robust after the last stage (AutoAttack's verdict); `fooled` and
 * `predictions` come from one final pass over the returned batch and agree with it except for rare
 * float32 batch effects. `targets` is null. Queries per image: 1 clean pass + each stage's own count
 * + 1 final pass. gradientEvaluations = the sum over stages of each stage's figure (the count of an
 * image robust to the end). Trace: the stages' records widened to the whole batch (images outside
 * the stage NaN / -1), `restart` = stage index, loss = that stage's own objective.
 * `stages` (AutoAttackOutcome) is the per-stage breakdown the reference prints as "robust accuracy
 * after APGD-CE: ...".
 */
/**
 * AutoAttack, standard version (Croce & Hein 2020, "Reliable evaluation of adversarial robustness
 * with an ensemble of diverse parameter-free attacks"), L-inf and L2, as the authors' autoattack.py
 * runs it (version='standard'):
 *
 *   robust = images the model classifies correctly (clean pass)
 *   for each stage, on the images still robust only:
 *     APGD-CE  100 iterations, 1 restart                      (apgd.ts)
 *     APGD-T   9 target classes, 100 iterations, 1 restart    (apgd-t.ts)
 *     FAB-T    9 target classes, 100 iterations, 1 restart    (fab.ts)
 *     Square   5000 queries, p_init 0.8, 1 restart            (square.ts, L-inf or L2 form)
 *     an image whose stage adversarial is misclassified takes that adversarial and leaves `robust`
 *   robust accuracy = |robust| / n
 *
 * Every stage gets the same seed (the reference passes self.seed to each attack). As in the
 * reference, images misclassified on the clean pass keep x and count as non-robust, and the stages
 * stop once no image is robust (later stages are then absent from the breakdown). The numbers of
 * target classes are capped at K - 1 by APGD-T and FAB-T (the reference only warns); APGD-T needs
 * K >= 4. Other implementations: torchattacks' AutoAttack runs the same four attacks with the same
 * protocol (its MultiAttack wrapper attacks only the images not yet broken) but with n_classes - 1
 * target classes (n_classes default 10, so 9 on 10 classes). ART's AutoAttack is a different
 * ensemble by default: APGD-CE and APGD-DLR with 5 random restarts each, DeepFool and Square with 5
 * restarts, plus targeted runs against every class when targeted=True.
 *
 * Output: `success` = not robust after the last stage (AutoAttack's verdict); `fooled` and
 * `predictions` come from one final pass over the returned batch and agree with it except for rare
 * float32 batch effects. `targets` is null. Queries per image: 1 clean pass + each stage's own count
 * + 1 final pass. gradientEvaluations = the sum over stages of each stage's figure (the count of an
 * image robust to the end). Trace: the stages' records widened to the whole batch (images outside
 * the stage NaN / -1), `restart` = stage index, loss = that stage's own objective.
 * `stages` (AutoAttackOutcome) is the per-stage breakdown the reference prints as "robust accuracy
 * after APGD-CE: ...".
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { argmaxRows, finish, prepare, readFloats, Recorder, replaceRows } from '../../../core/adversarial/common';
import type { AttackHooks, AttackOutcome, TraceRecord } from '../../../core/adversarial/types';
import { runApgd } from './apgd';
import { runApgdT } from './apgd-t';
import { runFab } from './fab';
import { runSquare } from './square';
import {
  type AutoAttackSpec,
  type ResolvedAutoAttack,
  resolveAutoAttack,
  type AutoAttackStageReport,
  type AutoAttackOutcome,
} from './autoattack-def';
export {
  type AutoAttackSpec,
  type ResolvedAutoAttack,
  resolveAutoAttack,
  type AutoAttackStageReport,
  type AutoAttackOutcome,
  autoattack,
} from './autoattack-def';

/** One stage of the ensemble: an attack with its settings, run on the images still robust. */
export interface AutoAttackStage {
  /** Name as the reference reports it: 'apgd-ce', 'apgd-t', 'fab-t', 'square'. */
  name: string;
  run: (clf: Classifier, x: tf.Tensor4D, y: Int32Array, hooks: AttackHooks) => Promise<AttackOutcome>;
}

/** The stages of the standard version, in order, with the reference's settings. */
export function standardStages(s: ResolvedAutoAttack): AutoAttackStage[] {
  const { norm, eps, seed } = s;
  return [
    { name: 'apgd-ce', run: (c, x, y, h) => runApgd(c, x, y, { name: 'apgd-ce', norm, eps, steps: 100, restarts: 1, seed }, h) },
    {
      name: 'apgd-t',
      run: (c, x, y, h) => runApgdT(c, x, y, { name: 'apgd-t', norm, eps, steps: 100, restarts: 1, targetClasses: 9, seed }, h),
    },
    {
      name: 'fab-t',
      run: (c, x, y, h) => runFab(c, x, y, { name: 'fab-t', norm, eps, steps: 100, restarts: 1, targetClasses: 9, seed }, h),
    },
    { name: 'square', run: (c, x, y, h) => runSquare(c, x, y, { name: 'square', norm, eps, queries: 5000, pInit: 0.8, seed }, h) },
  ];
}

/** A stage's trace record (its rows = images `rows` of the batch) widened to the whole batch. */
function widen(r: TraceRecord, rows: Int32Array, n: number, step: number, stage: number): TraceRecord {
  const out: TraceRecord = {
    step,
    restart: stage,
    loss: new Float32Array(n).fill(NaN),
    trueProb: new Float32Array(n).fill(NaN),
    topOtherClass: new Int32Array(n).fill(-1),
    topOtherProb: new Float32Array(n).fill(NaN),
    margin: new Float32Array(n).fill(NaN),
  };
  rows.forEach((i, j) => {
    out.loss[i] = r.loss[j];
    out.trueProb[i] = r.trueProb[j];
    out.topOtherClass[i] = r.topOtherClass[j];
    out.topOtherProb[i] = r.topOtherProb[j];
    out.margin[i] = r.margin[j];
  });
  return out;
}

/** Runs `stages` in order, each on the images still robust (the AutoAttack protocol). */
export async function runAutoAttackStages(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  stages: AutoAttackStage[],
  hooks?: AttackHooks,
): Promise<AutoAttackOutcome> {
  const p = await prepare(clf, x, y, undefined);
  const { n, k, labels } = p;
  const rec = new Recorder(p, hooks);
  const queries = new Int32Array(n).fill(1);
  const pred = argmaxRows(await readFloats(tf.tidy(() => clf.logits(x))), n, k);
  const robust = Uint8Array.from(labels, (l, i) => (pred[i] === l ? 1 : 0));
  const reports: AutoAttackStageReport[] = [];
  let gradients = 0;
  let adv = tf.clone(x);
  try {
    for (const [index, stage] of stages.entries()) {
      await rec.checkpoint();
      const rows = Int32Array.from(Array.from(robust.keys()).filter((i) => robust[i] === 1));
      if (rows.length === 0) break;
      const started = performance.now();
      const xs = tf.tidy(() => tf.gather(x, tf.tensor1d(rows, 'int32')) as tf.Tensor4D);
      let out: AttackOutcome;
      try {
        out = await stage.run(
          clf,
          xs,
          Int32Array.from(rows, (i) => labels[i]),
          {
            signal: hooks?.signal,
            keepTrace: false,
            onStep: (r) => {
              const wide = widen(r, rows, n, rec.step++, index);
              if (hooks?.keepTrace !== false) rec.trace.push(wide);
              hooks?.onStep?.(wide);
            },
          },
        );
      } finally {
        xs.dispose();
      }
      const prev = adv;
      adv = replaceRows(prev, rows, out.fooled, out.adversarial);
      prev.dispose();
      out.adversarial.dispose();
      rows.forEach((i, j) => {
        queries[i] += out.queries[j];
        if (out.fooled[j]) robust[i] = 0;
      });
      gradients += out.gradientEvaluations;
      const fooled = out.fooled.reduce((s, v) => s + v, 0);
      reports.push({
        stage: stage.name,
        attacked: rows.length,
        fooled,
        robustAfter: rows.length - fooled,
        seconds: (performance.now() - started) / 1000,
      });
    }
  } catch (e) {
    adv.dispose();
    throw e;
  }
  const success = robust.map((v) => 1 - v);
  const outcome = await finish(clf, x, adv, p, rec, { gradientEvaluations: gradients, queries, success });
  return { ...outcome, stages: reports };
}

export async function runAutoAttack(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: AutoAttackSpec,
  hooks?: AttackHooks,
): Promise<AutoAttackOutcome> {
  return runAutoAttackStages(clf, x, y, standardStages(resolveAutoAttack(spec)), hooks);
}
