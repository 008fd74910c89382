import { describe, expect, it } from 'vitest';
import { fltrust } from './fltrust';
import { ones, params, vecs } from './test-helpers';

describe('FLTrust', () => {
  it('zeroes updates opposed (or orthogonal) to the root, rescales the rest to its norm, weights by trust', () => {
    const root = Float32Array.from([1, 0]);
    const updates = vecs([
      [2, 0], // cos 1
      [0, 3], // cos 0
      [-1, 0], // cos -1 -> ReLU 0
      [1, 1], // cos 0.7071
    ]);
    const r = fltrust({ updates, root, sizes: ones(4) }, params());
    const c = Math.SQRT1_2;
    expect(r.scores![2]).toBe(0);
    expect(r.scores![3]).toBeCloseTo(c, 6);
    expect(r.weights![0]).toBeCloseTo(1 / (1 + c), 6);
    expect(r.weights![2]).toBe(0);
    // (1, 0) and (1, 1) / sqrt 2 (both of norm 1), weighted 1 : 0.7071
    expect(r.aggregate[0]).toBeCloseTo((1 + c * c) / (1 + c), 6);
    expect(r.aggregate[1]).toBeCloseTo((c * c) / (1 + c), 6);
  });

  it('no trusted client: the zero aggregate; no root: an error', () => {
    const r = fltrust(
      {
        updates: vecs([
          [-1, 0],
          [0, 1],
        ]),
        root: Float32Array.from([1, 0]),
        sizes: ones(2),
      },
      params(),
    );
    expect(Array.from(r.aggregate)).toEqual([0, 0]);
    expect(r.weights).toEqual([0, 0]);
    expect(() => fltrust({ updates: vecs([[1]]), sizes: [1] }, params())).toThrow(/root/);
    expect(() => fltrust({ updates: vecs([[1]]), root: Float32Array.from([1, 2]), sizes: [1] }, params())).toThrow(/different lengths/);
  });
});
