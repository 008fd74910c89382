/**
 * Krum (Blanchard et al. 2017, "Machine Learning with Adversaries: Byzantine Tolerant Gradient
 * Descent"): each update's score is the sum of squared L2 distances to its n - f - 2 nearest other
 * updates; the update with the lowest score is the aggregate.
 *
 * Convention: Flower's `aggregate_krum` (flwr/server/strategy/aggregate.py): squared distances,
 * num_closest = max(1, n - f - 2), argmin of the scores with ties to the lowest index. Unlike Flower
 * (which accepts any n), the paper's condition 2f + 2 < n is enforced: with n <= 2f + 2 Krum's
 * guarantee does not hold and the call throws. The FoolsGold authors' `get_krum_scores` sums over
 * n - f - 2 nearest as well (sorted distances [1 : n - f - 1]).
 */
import { argsort, checkF, checkInput, distanceMatrix } from './common';
import type { Aggregator } from './types';

/** Krum's score of each update among `updates` (squared distances to its max(1, n - f - 2) nearest others). */
export function krumScores(updates: readonly ArrayLike<number>[], f: number): number[] {
  const n = updates.length;
  const closest = Math.max(1, n - f - 2);
  const dist = distanceMatrix(updates);
  return dist.map((row, i) => {
    const others = Array.from(row).filter((_, j) => j !== i);
    others.sort((a, b) => a - b);
    let s = 0;
    for (let k = 0; k < Math.min(closest, others.length); k++) s += others[k];
    return s;
  });
}

/** Throws unless n > 2f + 2 (Blanchard et al.'s condition). */
export function checkKrumF(rule: string, n: number, f: number): void {
  checkF(rule, f);
  if (!(n > 2 * f + 2)) {
    const most = Math.ceil((n - 2) / 2) - 1;
    throw new Error(
      `${rule} needs n > 2f + 2: ${n} updates cannot tolerate f = ${f} (${most >= 0 ? `at most f = ${most}` : '3 updates at least'})`,
    );
  }
}

export const krum: Aggregator = (input, params) => {
  const { n } = checkInput('Krum', input);
  checkKrumF('Krum', n, params.f);
  const scores = krumScores(input.updates, params.f);
  const best = argsort(scores)[0];
  const weights = scores.map((_, i) => (i === best ? 1 : 0));
  return { aggregate: Float32Array.from(input.updates[best]), weights, selected: [best], scores };
};
