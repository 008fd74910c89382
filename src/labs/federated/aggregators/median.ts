/**
 * Coordinate-wise median (Yin et al. 2018, "Byzantine-Robust Distributed Learning: Towards Optimal
 * Statistical Rates"): each coordinate of the aggregate is the median of the clients' values there.
 *
 * Convention: Flower's `aggregate_median` (np.median over the clients, unweighted: the data sizes are
 * not used); with an even n the mean of the two middle values. `weights` is each client's effective
 * weight: the share of coordinates where its value is the median (half for each of the two middle
 * values when n is even), so they sum to 1.
 */
import { checkInput } from './common';
import type { Aggregator } from './types';

export const median: Aggregator = (input) => {
  const { n, d } = checkInput('Median', input);
  const { updates } = input;
  const out = new Float32Array(d);
  const count = new Float64Array(n);
  const idx = Array.from({ length: n }, (_, i) => i);
  const half = n >> 1;
  for (let j = 0; j < d; j++) {
    idx.sort((a, b) => updates[a][j] - updates[b][j] || a - b);
    if (n % 2 === 1) {
      out[j] = updates[idx[half]][j];
      count[idx[half]] += 1;
    } else {
      out[j] = (updates[idx[half - 1]][j] + updates[idx[half]][j]) / 2;
      count[idx[half - 1]] += 0.5;
      count[idx[half]] += 0.5;
    }
  }
  return { aggregate: out, weights: Array.from(count, (c) => c / d) };
};
