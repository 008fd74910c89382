import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/random';
import { AGGREGATORS } from './index';
import { params } from './test-helpers';

describe('every aggregation rule', () => {
  it('returns the update itself when all clients send the same one', () => {
    const u = Float32Array.from([0.25, -0.5, 0.125, 0.0625]);
    const n = 7;
    const updates = Array.from({ length: n }, () => Float32Array.from(u));
    const history = updates.map((x) => x.map((v) => 3 * v));
    const sizes = [1, 2, 3, 4, 5, 6, 7];
    const rng = new Rng(0);
    expect(Object.keys(AGGREGATORS).sort()).toEqual(
      ['bulyan', 'fedavg', 'fltrust', 'foolsgold', 'krum', 'median', 'multikrum', 'norm-clip', 'trimmed-mean'].sort(),
    );
    for (const [name, { run }] of Object.entries(AGGREGATORS)) {
      const r = run({ updates, sizes, history, root: Float32Array.from(u), random: () => rng.next() }, params({ f: 1, clip: 1 }));
      expect(r.aggregate.length, name).toBe(u.length);
      for (let j = 0; j < u.length; j++) expect(r.aggregate[j], `${name} [${j}]`).toBeCloseTo(u[j], 6);
    }
  });
});
