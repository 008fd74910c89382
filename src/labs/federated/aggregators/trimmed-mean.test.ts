import { describe, expect, it } from 'vitest';
import { ones, params, vecs } from './test-helpers';
import { trimmedMean } from './trimmed-mean';

describe('coordinate-wise trimmed mean', () => {
  it('cuts floor(trim * n) values at each end of each coordinate (even n)', () => {
    // coordinate 0: 1..9 and 1000; coordinate 1: the same reversed, with -1000
    const rows = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1000].map((v, i) => [v, i === 9 ? -1000 : 10 - v]);
    const r = trimmedMean({ updates: vecs(rows), sizes: ones(10) }, params({ trim: 0.1 }));
    // k = 1: coordinate 0 keeps 2..9 (mean 5.5); coordinate 1 has 9..1 and -1000, keeps 8..1 (mean 4.5)
    expect(Array.from(r.aggregate)).toEqual([5.5, 4.5]);
    // floor(0.29 * 10) = 2: keeps 3..8 and 7..2
    const r2 = trimmedMean({ updates: vecs(rows), sizes: ones(10) }, params({ trim: 0.29 }));
    expect(Array.from(r2.aggregate)).toEqual([5.5, 4.5]);
    expect(r2.weights![9]).toBe(0);
    expect(r2.weights!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('odd n, and trim below 1 / n cuts nothing', () => {
    const updates = vecs([[1], [2], [3], [4], [100]]);
    expect(Array.from(trimmedMean({ updates, sizes: ones(5) }, params({ trim: 0.2 })).aggregate)).toEqual([3]);
    expect(Array.from(trimmedMean({ updates, sizes: ones(5) }, params({ trim: 0.1 })).aggregate)).toEqual([22]);
  });

  it('refuses a trim that leaves nothing', () => {
    expect(() => trimmedMean({ updates: vecs([[1], [2]]), sizes: ones(2) }, params({ trim: 0.5 }))).toThrow(/trim \(0.5\)/);
  });
});
