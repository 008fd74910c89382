/**
 * The loss-threshold attack of Yeom et al. 2018 ("Privacy Risk in Machine Learning", the "MI attack"
 * of section 3.2 with a global threshold): an example is called a member when the target's loss on it is
 * below a threshold. Yeom et al. set the threshold to the model's average training loss; the ROC sweeps
 * every threshold, so the membership score is simply -loss (lower loss: more likely a member). This is
 * also the "global threshold" baseline of Carlini et al. 2022 (mi_lira_2021/plot.py's generate_global
 * thresholds their logit-scaled confidence instead of the loss; on one query the two order examples the
 * same way, since both are monotone in p_y).
 */

/** Membership scores: the negated per-example losses. */
export function lossThresholdScores(losses: ArrayLike<number>): Float64Array {
  return Float64Array.from(losses, (l) => -l);
}

/** Yeom et al.'s own operating point: member when the loss is at most the average training loss. */
export function yeomDecisions(losses: ArrayLike<number>, averageTrainingLoss: number): boolean[] {
  return Array.from(losses, (l) => l <= averageTrainingLoss);
}
