/**
 * Multi-Krum (Blanchard et al. 2017, section 5): Krum's scores (krum.ts), the `keep` updates with the
 * lowest scores kept (default n - f) and averaged.
 *
 * Convention: Flower's `aggregate_krum` with to_keep > 0: the kept updates are averaged weighted by
 * the clients' data sizes (Flower's `aggregate`, num_examples); the paper averages them uniformly
 * (equal sizes give the same). Ties in the scores go to the lowest index. Requires n > 2f + 2, as Krum.
 */
import { argsort, checkInput, sizeShares, weightedSum } from './common';
import { checkKrumF, krumScores } from './krum';
import type { Aggregator } from './types';

export const multikrum: Aggregator = (input, params) => {
  const { n } = checkInput('Multi-Krum', input);
  checkKrumF('Multi-Krum', n, params.f);
  const keep = params.keep === undefined || params.keep === 0 ? n - params.f : params.keep;
  if (!(Number.isInteger(keep) && keep >= 1 && keep <= n))
    throw new Error(`Multi-Krum: keep (${keep}) must be a whole number in 1..${n} (the number of updates)`);
  const scores = krumScores(input.updates, params.f);
  const selected = argsort(scores).slice(0, keep);
  const weights = sizeShares('Multi-Krum', input.sizes, selected);
  return { aggregate: weightedSum(input.updates, weights), weights, selected, scores };
};
