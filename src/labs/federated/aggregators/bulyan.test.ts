import { describe, expect, it } from 'vitest';
import { bulyan } from './bulyan';
import { ones, params, vecs } from './test-helpers';

describe('Bulyan', () => {
  it('selects theta = n - 2f by Krum one at a time, then averages the beta = theta - 2f values closest to the median', () => {
    const updates = vecs([
      [100, 100],
      [0, 0],
      [0, 1],
      [0, 2],
      [0, 2.5],
      [0, 4],
      [0, -6],
    ]);
    const r = bulyan({ updates, sizes: ones(7) }, params({ f: 1 }));
    // pass 1 (4 nearest): (0, 2) scores 4 + 1 + 0.25 + 4 = 9.25; pass 2 (3 nearest of 6): (0, 2.5) 10.75;
    // pass 3 (2 of 5): (0, 1) 1 + 9; pass 4 (1 of 4): (0, 0) and (0, 4) tie at 16, the lower index;
    // pass 5 (1 of 3): (0, 4) and (0, -6) tie at 100, the lower index; the outlier is never chosen
    expect(r.scores![3]).toBeCloseTo(9.25, 4);
    expect(r.selected).toEqual([3, 4, 2, 1, 5]);
    // coordinate 1 of the chosen: 2, 2.5, 1, 0, 4; median 2; the 3 closest 2, 2.5, 1 -> 5.5 / 3
    expect(r.aggregate[0]).toBe(0);
    expect(r.aggregate[1]).toBeCloseTo(5.5 / 3, 6);
    expect(r.weights).toEqual([0, 0, 1 / 3, 1 / 3, 1 / 3, 0, 0]);
  });

  it('needs n >= 4f + 3', () => {
    const updates = vecs([[0], [1], [2], [3], [4], [5]]);
    expect(() => bulyan({ updates, sizes: ones(6) }, params({ f: 1 }))).toThrow(/n >= 4f \+ 3: 6 updates cannot tolerate f = 1/);
    expect(Array.from(bulyan({ updates, sizes: ones(6) }, params({ f: 0 })).aggregate)).toEqual([2.5]);
  });
});
