/**
 * FedAvg (McMahan et al. 2017): the updates averaged with weights proportional to the clients' data
 * sizes, as Flower's `aggregate()` (weighted by num_examples).
 */
import { checkInput } from './common';
import type { Aggregator } from './types';

export function weightedAverage(updates: readonly Float32Array[], weights: readonly number[]): Float32Array {
  const d = updates[0].length;
  const out = new Float64Array(d);
  for (let i = 0; i < updates.length; i++) {
    const u = updates[i];
    const w = weights[i];
    if (w === 0) continue;
    for (let j = 0; j < d; j++) out[j] += w * u[j];
  }
  return Float32Array.from(out);
}

export const fedavg: Aggregator = (input) => {
  checkInput('FedAvg', input);
  const { updates, sizes } = input;
  const total = sizes.reduce((a, b) => a + b, 0);
  if (!(total > 0)) throw new Error('FedAvg needs clients with data (the sizes sum to 0)');
  const weights = sizes.map((s) => s / total);
  return { aggregate: weightedAverage(updates, weights), weights };
};
