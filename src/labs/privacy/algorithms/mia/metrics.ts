/**
 * Membership-inference metrics as Carlini et al. 2022 ("Membership Inference Attacks From First
 * Principles") argue for them: the whole ROC curve (to be drawn on log-log axes), its AUC, the TPR at a
 * low FPR, and the attacker's advantage max(TPR - FPR) (Yeom et al. 2018; tensorflow/privacy reports it
 * per slice).
 *
 * Conventions: a higher score means "more likely a member". The ROC is computed over every distinct
 * threshold (ties form one step), from (0, 0) to (1, 1), as sklearn's roc_curve without
 * drop_intermediate; the AUC is the trapezoid rule over it (sklearn's auc, so ties count one half).
 * TPR at FPR f is computed as mi_lira_2021/plot.py does: the TPR of the last ROC point whose FPR is
 * strictly below f (`tpr[np.where(fpr < f)[0][-1]]`), i.e. the best TPR the attack reaches while its FPR
 * stays under f.
 */

export interface Roc {
  fpr: Float64Array;
  tpr: Float64Array;
  /** The score threshold of each point (score >= threshold predicts "member"); +Infinity at (0, 0). */
  thresholds: Float64Array;
}

export interface MiaMetrics {
  auc: number;
  /** TPR at FPR 0.1% and 1%. */
  tprAt001: number;
  tprAt01: number;
  advantage: number;
}

/** The ROC curve of `scores` (higher: member) against the truth `member`, over every distinct threshold. */
export function rocCurve(scores: ArrayLike<number>, member: ArrayLike<boolean | number>): Roc {
  const n = scores.length;
  if (member.length !== n) throw new Error(`rocCurve: ${n} scores but ${member.length} labels`);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new Error(`rocCurve: score ${i} is NaN`);
    if (member[i]) pos++;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) throw new Error('rocCurve: needs at least one member and one non-member');
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  const fpr = [0];
  const tpr = [0];
  const th = [Infinity];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < n;) {
    const s = scores[order[k]];
    // every example tied at this score crosses the threshold together
    while (k < n && scores[order[k]] === s) {
      if (member[order[k]]) tp++;
      else fp++;
      k++;
    }
    fpr.push(fp / neg);
    tpr.push(tp / pos);
    th.push(s);
  }
  return { fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr), thresholds: Float64Array.from(th) };
}

/** Area under the ROC curve (trapezoid rule). */
export function rocAuc(roc: Roc): number {
  let a = 0;
  for (let i = 1; i < roc.fpr.length; i++) a += ((roc.fpr[i] - roc.fpr[i - 1]) * (roc.tpr[i] + roc.tpr[i - 1])) / 2;
  return a;
}

/** The TPR of the last point with FPR strictly below `fpr` (LiRA's low-FPR figure). */
export function tprAtFpr(roc: Roc, fpr: number): number {
  let best = 0;
  for (let i = 0; i < roc.fpr.length && roc.fpr[i] < fpr; i++) best = roc.tpr[i];
  return best;
}

/** The attacker's advantage: max over thresholds of TPR - FPR. */
export function advantage(roc: Roc): number {
  let a = 0;
  for (let i = 0; i < roc.fpr.length; i++) a = Math.max(a, roc.tpr[i] - roc.fpr[i]);
  return a;
}

export function miaMetrics(scores: ArrayLike<number>, member: ArrayLike<boolean | number>): MiaMetrics & { roc: Roc } {
  const roc = rocCurve(scores, member);
  return { roc, auc: rocAuc(roc), tprAt001: tprAtFpr(roc, 0.001), tprAt01: tprAtFpr(roc, 0.01), advantage: advantage(roc) };
}

/**
 * A few hundred points of the curve for a log-log chart: the TPR at FPR 0 (when above 0), then every
 * point where the FPR first reaches each of `points` log-spaced levels between 1/negatives and 1 (the TPR
 * the attack has there), with (1, 1).
 */
export function rocForLogPlot(roc: Roc, points = 120): { fpr: number; tpr: number }[] {
  const out: { fpr: number; tpr: number }[] = [];
  const n = roc.fpr.length;
  let minF = 1;
  for (let i = 0; i < n; i++) if (roc.fpr[i] > 0) minF = Math.min(minF, roc.fpr[i]);
  let i = 0;
  // the TPR reached with no false positive at all (a log axis draws it at its left edge)
  while (i + 1 < n && roc.fpr[i + 1] === 0) i++;
  if (roc.tpr[i] > 0) out.push({ fpr: 0, tpr: roc.tpr[i] });
  for (let k = 0; k <= points; k++) {
    const level = Math.exp(Math.log(minF) + ((0 - Math.log(minF)) * k) / points);
    while (i + 1 < n && roc.fpr[i + 1] <= level * (1 + 1e-12)) i++;
    if (roc.fpr[i] <= 0) continue;
    const p = { fpr: roc.fpr[i], tpr: roc.tpr[i] };
    const last = out[out.length - 1];
    if (!last || last.fpr !== p.fpr || last.tpr !== p.tpr) out.push(p);
  }
  return out;
}
