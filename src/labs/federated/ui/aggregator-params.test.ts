import { describe, expect, it } from 'vitest';
import { AGGREGATORS, DEFAULT_AGGREGATOR_PARAMS, type AggregatorParams } from '../aggregators/index';
import { AGGREGATOR_PARAMS } from './aggregator-params';

/** Seven clients' updates of length 3 (Bulyan needs n >= 4f + 3), with histories and a root update, so every rule runs. */
const v = (...x: number[]) => Float32Array.from(x);
const updates = [v(1, 0, 0), v(0.9, 0.1, 0), v(1.1, -0.1, 0.2), v(0.8, 0.2, -0.1), v(1, 0.1, 0.1), v(0.95, 0, -0.05), v(-5, 4, 3)];
const input = {
  updates,
  sizes: [10, 20, 30, 40, 50, 60, 70],
  history: updates.map((u) => u.map((x) => 2 * x)),
  root: v(1, 0, 0),
  random: () => 0.5,
};

/** The parameter names a rule reads when it runs (a proxy records every read). */
function readsOf(name: string): string[] {
  const read = new Set<string>();
  const params = new Proxy({ ...DEFAULT_AGGREGATOR_PARAMS, keep: 3, noise: 0.01 } as AggregatorParams, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  AGGREGATORS[name].run(input, params);
  return [...read].sort();
}

describe('AGGREGATOR_PARAMS', () => {
  it('names every rule of the registry', () => {
    expect(Object.keys(AGGREGATOR_PARAMS).sort()).toEqual(Object.keys(AGGREGATORS).sort());
  });

  it.each(Object.keys(AGGREGATORS))('lists exactly the parameters %s reads', (name) => {
    expect([...AGGREGATOR_PARAMS[name]].sort()).toEqual(readsOf(name));
  });
});
