/**
 * FoolsGold (Fung, Yoon & Beschastnikh 2020, "The Limitations of Federated Learning in Sybil
 * Settings"), following the authors' code, function `foolsgold` of github.com/DistributedML/FoolsGold
 * (ML/code/model_aggregator.py, and the same function in deep-fg/fg/foolsgold.py):
 *   cs = cosine_similarity(summed historical updates) - I      (the diagonal set to 0, not dropped:
 *                                                                so max(cs) per client is >= 0)
 *   maxcs_i = max_j cs_ij
 *   pardoning: for i != j with maxcs_i < maxcs_j: cs_ij *= maxcs_i / maxcs_j
 *   wv_i = 1 - max_j cs_ij, clipped to [0, 1]
 *   wv = wv / max(wv); wv_i == 1 -> 0.99
 *   wv_i = kappa * (ln(wv_i / (1 - wv_i)) + 0.5), clipped to [0, 1]   (ln 0 = -inf -> 0)
 * The authors' code has kappa fixed at 1; the paper's logit has the confidence kappa, given here.
 * A zero vector's cosine similarity is 0 (as sklearn's cosine_similarity).
 *
 * History: `input.history` (each client's sum of its updates so far, this round's included); without
 * it, this round's updates (the authors' deep-fg option use_memory = False).
 *
 * Aggregate: NOT the wv-weighted mean. As the authors' deep-fg trainer (`aggregate_gradients`:
 * sum_i wv_i * grad_i, divided by the number of clients), the aggregate is (1/n) sum_i wv_i u_i: each
 * client's update scaled by its learning rate wv_i, then the plain mean over the n clients, so zeroed
 * sybils shrink the step instead of handing their share to others. (ML/code's variant returns
 * sum_i wv_i u_i without the 1/n; data sizes are not used by either.) With all wv_i = 1 this is the
 * unweighted mean. `weights` = wv (each client's learning rate, in [0, 1]); `scores` = each client's
 * max cosine similarity after pardoning.
 *
 * One departure: when every client has wv = 0 before the rescale (every client has an exact twin in
 * direction, e.g. all updates identical), the authors' wv / max(wv) is 0 / 0 = NaN; here FoolsGold has
 * nothing to tell the clients apart and every wv is 1 (the plain mean).
 */
import { checkInput, dot, norm } from './common';
import type { Aggregator } from './types';

/** FoolsGold's learning rates of the clients from their historical update sums (the authors' `foolsgold`). */
export function foolsgoldWeights(history: readonly ArrayLike<number>[], kappa: number): { wv: number[]; maxSimilarity: number[] } {
  const n = history.length;
  const norms = history.map(norm);
  const cs = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      const c = norms[i] > 0 && norms[j] > 0 ? dot(history[i], history[j]) / (norms[i] * norms[j]) : 0;
      cs[i][j] = c;
      cs[j][i] = c;
    }
  // cs - I: the diagonal (1 for a nonzero vector) becomes 0
  const maxcs = cs.map((row) => Math.max(...row));
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && maxcs[i] < maxcs[j]) cs[i][j] = (cs[i][j] * maxcs[i]) / maxcs[j];
  const maxSimilarity = cs.map((row) => Math.max(...row));
  let wv = maxSimilarity.map((m) => Math.min(1, Math.max(0, 1 - m)));
  const top = Math.max(...wv);
  if (!(top > 0)) return { wv: wv.map(() => 1), maxSimilarity };
  wv = wv.map((w) => w / top).map((w) => (w === 1 ? 0.99 : w));
  wv = wv.map((w) => {
    const l = kappa * (Math.log(w / (1 - w)) + 0.5);
    return l > 1 ? 1 : l < 0 || Number.isNaN(l) ? 0 : l;
  });
  return { wv, maxSimilarity };
}

export const foolsgold: Aggregator = (input, params) => {
  const { n, d } = checkInput('FoolsGold', input);
  const kappa = params.kappa;
  if (!(Number.isFinite(kappa) && kappa > 0)) throw new Error(`FoolsGold: kappa (${kappa}) must be a number > 0`);
  const { wv, maxSimilarity } = foolsgoldWeights(input.history ?? input.updates, kappa);
  const out = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    if (wv[i] === 0) continue;
    const u = input.updates[i];
    for (let j = 0; j < d; j++) out[j] += wv[i] * u[j];
  }
  for (let j = 0; j < d; j++) out[j] /= n;
  return { aggregate: Float32Array.from(out), weights: wv, scores: maxSimilarity };
};
