/**
 * Coordinate-wise trimmed mean (Yin et al. 2018): in each coordinate the k = floor(trim * n) largest
 * and k smallest values are cut and the other n - 2k averaged.
 *
 * Convention: Flower's `aggregate_trimmed_mean` / `_trim_mean` (as scipy's trim_mean): lowercut =
 * int(trim * n) at each end, unweighted mean of the rest (data sizes not used). Requires n - 2k >= 1
 * (Flower raises "Proportion too big" only when k > n - k; with n - 2k = 0 numpy's mean of nothing is
 * NaN, so this throws there too). `weights`: each client's effective weight, the share of coordinates
 * where its value was kept divided by n - 2k (they sum to 1).
 */
import { checkInput } from './common';
import type { Aggregator } from './types';

export const trimmedMean: Aggregator = (input, params) => {
  const { n, d } = checkInput('Trimmed mean', input);
  const trim = params.trim;
  if (!(Number.isFinite(trim) && trim >= 0 && trim < 0.5)) throw new Error(`Trimmed mean: trim (${trim}) must be in [0, 0.5)`);
  const k = Math.floor(trim * n);
  const kept = n - 2 * k;
  if (kept < 1) throw new Error(`Trimmed mean: cutting ${k} at each end of ${n} values leaves none (lower trim)`);
  const { updates } = input;
  const out = new Float32Array(d);
  const count = new Float64Array(n);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let j = 0; j < d; j++) {
    idx.sort((a, b) => updates[a][j] - updates[b][j] || a - b);
    let s = 0;
    for (let r = k; r < n - k; r++) {
      s += updates[idx[r]][j];
      count[idx[r]] += 1;
    }
    out[j] = s / kept;
  }
  return { aggregate: out, weights: Array.from(count, (c) => c / (kept * d)) };
};
