/**
 * What the attacks read from a model's logits on one example (all computed from the logits, so that no
 * softmax underflows):
 * - the cross-entropy loss, -log p_y = logsumexp(z) - z_y (the loss-threshold attack);
 * - LiRA's logit-scaled confidence phi = log(p_y) - log(sum_{y' != y} p_y'), which on logits is
 *   z_y - logsumexp_{y' != y} z_y' exactly (the softmax's normaliser cancels). mi_lira_2021/score.py
 *   computes it from float64 softmax probabilities with a 1e-45 floor inside each log; the logit form is
 *   the same number without the floor (it stays finite where p_y rounds to 1);
 * - log-probabilities, log p = z - logsumexp(z) (the shadow attack's features).
 */

/** logsumexp of `z[off .. off + c)` leaving out index `skip` (-1: none). */
function logSumExp(z: ArrayLike<number>, off: number, c: number, skip = -1): number {
  let m = -Infinity;
  for (let j = 0; j < c; j++) if (j !== skip) m = Math.max(m, z[off + j]);
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let j = 0; j < c; j++) if (j !== skip) s += Math.exp(z[off + j] - m);
  return m + Math.log(s);
}

/** Per-example cross-entropy losses of `n` rows of `c` logits. */
export function crossEntropyLosses(logits: ArrayLike<number>, labels: ArrayLike<number>, c: number): Float64Array {
  const n = labels.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logSumExp(logits, i * c, c) - logits[i * c + labels[i]];
  return out;
}

/** Per-example logit-scaled confidences phi (LiRA). */
export function logitScaledConfidence(logits: ArrayLike<number>, labels: ArrayLike<number>, c: number): Float64Array {
  const n = labels.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = logits[i * c + labels[i]] - logSumExp(logits, i * c, c, labels[i]);
  return out;
}

/** Row-wise log-softmax of `n` rows of `c` logits. */
export function logSoftmax(logits: ArrayLike<number>, n: number, c: number): Float64Array {
  const out = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    const l = logSumExp(logits, i * c, c);
    for (let j = 0; j < c; j++) out[i * c + j] = logits[i * c + j] - l;
  }
  return out;
}
