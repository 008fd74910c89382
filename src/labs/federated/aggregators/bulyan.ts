/**
 * Bulyan (El Mhamdi, Guerraoui & Rouault 2018, "The Hidden Vulnerability of Distributed Learning in
 * Byzantium") over Krum: theta = n - 2f updates are chosen one at a time by Krum (krum.ts), each
 * chosen one removed before the next choice; then in every coordinate the beta = theta - 2f values
 * closest to the coordinate-wise median of the chosen are averaged.
 *
 * Convention: Flower's `aggregate_bulyan` with `aggregate_krum` as the selection rule: requires
 * n >= 4f + 3; each Krum pass scores the remaining m updates with max(1, m - f - 2) nearest; the median
 * is np.median of the chosen (unweighted, mean of the middle two when theta is even); the beta closest
 * per coordinate by |value - median| (ties to the earlier chosen), averaged unweighted. Data sizes are
 * not used. `selected`: the chosen clients in the order Krum chose them; `scores`: Krum's scores in the
 * first pass (all n updates); `weights`: each client's effective weight, the share of coordinates where
 * its value was among the beta averaged, over beta (they sum to 1).
 */
import { argsort, checkF, checkInput } from './common';
import { krumScores } from './krum';
import type { Aggregator } from './types';

export const bulyan: Aggregator = (input, params) => {
  const { n, d } = checkInput('Bulyan', input);
  const f = params.f;
  checkF('Bulyan', f);
  if (n < 4 * f + 3) throw new Error(`Bulyan needs n >= 4f + 3: ${n} updates cannot tolerate f = ${f}`);
  const theta = n - 2 * f;
  const beta = theta - 2 * f;
  const remaining = Array.from({ length: n }, (_, i) => i);
  const selected: number[] = [];
  let firstScores: number[] = [];
  for (let t = 0; t < theta; t++) {
    const scores = krumScores(
      remaining.map((i) => input.updates[i]),
      f,
    );
    if (t === 0) firstScores = scores;
    const best = argsort(scores)[0];
    selected.push(remaining[best]);
    remaining.splice(best, 1);
  }
  const out = new Float32Array(d);
  const count = new Float64Array(n);
  const values = new Float64Array(theta);
  const order = Array.from({ length: theta }, (_, k) => k);
  const half = theta >> 1;
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < theta; k++) values[k] = input.updates[selected[k]][j];
    const sorted = Array.from(values).sort((a, b) => a - b);
    const med = theta % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
    order.sort((a, b) => Math.abs(values[a] - med) - Math.abs(values[b] - med) || a - b);
    let s = 0;
    for (let r = 0; r < beta; r++) {
      s += values[order[r]];
      count[selected[order[r]]] += 1;
    }
    out[j] = s / beta;
  }
  return { aggregate: out, weights: Array.from(count, (c) => c / (beta * d)), selected, scores: firstScores };
};
