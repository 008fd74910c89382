import { describe, expect, it } from 'vitest';
import { krum } from './krum';
import { CLUSTER, ones, params, vecs } from './test-helpers';

describe('Krum', () => {
  it('picks the honest update with the smallest sum of squared distances to its n - f - 2 nearest', () => {
    const r = krum({ updates: CLUSTER, sizes: ones(7) }, params({ f: 2 }));
    expect(r.selected).toEqual([3]);
    expect(Array.from(r.aggregate)).toEqual([1, 1]);
    expect(r.weights).toEqual([0, 0, 0, 1, 0, 0, 0]);
    // n - f - 2 = 3 nearest: the centre is 0.1 from four others (0.01 each); (1.1, 1) has 0.01, 0.02, 0.02
    expect(r.scores![3]).toBeCloseTo(0.03, 5);
    expect(r.scores![1]).toBeCloseTo(0.05, 5);
    expect(r.scores![0]).toBeGreaterThan(100);
  });

  it('counts only the n - f - 2 nearest (f = 1: four nearest)', () => {
    const r = krum({ updates: CLUSTER, sizes: ones(7) }, params({ f: 1 }));
    // the centre: 4 x 0.01; (1.1, 1): 0.01 + 0.02 + 0.02 + 0.04
    expect(r.scores![3]).toBeCloseTo(0.04, 5);
    expect(r.scores![1]).toBeCloseTo(0.09, 5);
  });

  it('refuses an f it cannot tolerate, different lengths and non-finite values', () => {
    const four = vecs([[0], [1], [2], [3]]);
    expect(() => krum({ updates: four, sizes: ones(4) }, params({ f: 1 }))).toThrow(
      /needs n > 2f \+ 2: 4 updates cannot tolerate f = 1 \(at most f = 0\)/,
    );
    expect(() => krum({ updates: vecs([[0, 1], [1]]), sizes: ones(2) }, params({ f: 0 }))).toThrow(/different lengths/);
    expect(() => krum({ updates: vecs([[0], [NaN], [1]]), sizes: ones(3) }, params({ f: 0 }))).toThrow(/non-finite value \(NaN\)/);
    expect(() => krum({ updates: vecs([[0], [1], [2]]), sizes: ones(2) }, params({ f: 0 }))).toThrow(/2 sizes for 3 updates/);
  });
});
