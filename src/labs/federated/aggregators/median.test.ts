import { describe, expect, it } from 'vitest';
import { median } from './median';
import { ones, params, vecs } from './test-helpers';

describe('coordinate-wise median', () => {
  it('takes the middle value of each coordinate (odd n)', () => {
    const updates = vecs([
      [1, 5, -1],
      [2, 4, -2],
      [3, 3, 100],
      [4, 2, -3],
      [1000, 1, -4],
    ]);
    const r = median({ updates, sizes: [1, 1, 1, 1, 100] }, params());
    expect(Array.from(r.aggregate)).toEqual([3, 3, -2]);
    // client 2 is the median in two coordinates, client 1 in one; sizes play no part
    expect(r.weights![2]).toBeCloseTo(2 / 3, 12);
    expect(r.weights![1]).toBeCloseTo(1 / 3, 12);
    expect(r.weights![4]).toBe(0);
  });

  it('averages the two middle values (even n)', () => {
    const updates = vecs([
      [1, 10],
      [2, 20],
      [3, -30],
      [100, 40],
    ]);
    const r = median({ updates, sizes: ones(4) }, params());
    expect(Array.from(r.aggregate)).toEqual([2.5, 15]);
    expect(r.weights).toEqual([0.25, 0.5, 0.25, 0]);
  });

  it('refuses sizes that are not numbers >= 0', () => {
    expect(() => median({ updates: vecs([[1], [2]]), sizes: [1, -1] }, params())).toThrow(/size 1 \(-1\)/);
  });
});
