import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/random';
import { gaussians, normClip } from './norm-clip';
import { ones, params, vecs } from './test-helpers';

const UPDATES = vecs([
  [3, 4], // norm 5 -> (0.6, 0.8)
  [0.3, 0.4], // norm 0.5: unchanged
  [0, -2], // norm 2 -> (0, -1)
]);

describe('norm clipping', () => {
  it('scales only the updates above the bound, then averages by data size', () => {
    const r = normClip({ updates: UPDATES, sizes: ones(3) }, params({ clip: 1 }));
    expect(r.aggregate[0]).toBeCloseTo(0.9 / 3, 6);
    expect(r.aggregate[1]).toBeCloseTo(0.2 / 3, 6);
    expect(r.scores).toEqual([5, expect.closeTo(0.5, 6), 2]);
    expect(r.weights![0]).toBeCloseTo(0.2 / 3, 12);
    expect(r.weights![1]).toBeCloseTo(1 / 3, 12);
    expect(r.weights![2]).toBeCloseTo(0.5 / 3, 12);
    // sizes 2:1:1
    const w = normClip({ updates: UPDATES, sizes: [2, 1, 1] }, params({ clip: 1 }));
    expect(w.aggregate[0]).toBeCloseTo((2 * 0.6 + 0.3) / 4, 6);
    expect(w.aggregate[1]).toBeCloseTo((2 * 0.8 + 0.4 - 1) / 4, 6);
  });

  it('adds Gaussian noise of the given std, drawn from the seeded source', () => {
    const plain = normClip({ updates: UPDATES, sizes: ones(3) }, params({ clip: 1 }));
    const rng = new Rng(7);
    const noisy = normClip({ updates: UPDATES, sizes: ones(3), random: () => rng.next() }, params({ clip: 1, noise: 0.5 }));
    const rng2 = new Rng(7);
    const z = gaussians(2, () => rng2.next());
    expect(noisy.aggregate[0]).toBeCloseTo(plain.aggregate[0] + 0.5 * z[0], 6);
    expect(noisy.aggregate[1]).toBeCloseTo(plain.aggregate[1] + 0.5 * z[1], 6);
    expect(z[0]).not.toBe(0);
    expect(() => normClip({ updates: UPDATES, sizes: ones(3) }, params({ noise: 0.1 }))).toThrow(/random source/);
    expect(() => normClip({ updates: UPDATES, sizes: ones(3) }, params({ clip: -1 }))).toThrow(/clip \(-1\)/);
  });

  it("clip 0 bounds every update by the round's median norm (the lower one for an even count)", () => {
    // norms 5, 0.5, 2: the median is 2, so only the first update is scaled (to (1.2, 1.6))
    const r = normClip({ updates: UPDATES, sizes: ones(3) }, params({ clip: 0 }));
    expect(r.bound).toBeCloseTo(2, 12);
    expect(r.aggregate[0]).toBeCloseTo((1.2 + 0.3 + 0) / 3, 6);
    expect(r.aggregate[1]).toBeCloseTo((1.6 + 0.4 - 2) / 3, 6);
    expect(r.weights![0]).toBeCloseTo(0.4 / 3, 12);
    // the same as a fixed bound at that median
    const fixed = normClip({ updates: UPDATES, sizes: ones(3) }, params({ clip: 2 }));
    expect(Array.from(r.aggregate)).toEqual(Array.from(fixed.aggregate));
    // four updates, norms 5, 0.5, 2, 1: the lower median is 1
    const four = normClip({ updates: [...UPDATES, ...vecs([[0.6, 0.8]])], sizes: ones(4) }, params({ clip: 0 }));
    expect(four.bound).toBeCloseTo(1, 6);
    // a boosted update ten times any honest one gets an honest client's pull, not its own
    const boosted = vecs([
      [0.1, 0],
      [0, 0.12],
      [-0.11, 0],
      [50, 50],
    ]);
    const b = normClip({ updates: boosted, sizes: ones(4) }, params({ clip: 0 }));
    expect(Math.hypot(b.aggregate[0], b.aggregate[1])).toBeLessThan(0.12);
  });

  it('Box-Muller gives standard normal values', () => {
    const rng = new Rng(1);
    const z = gaussians(20001, () => rng.next());
    const mean = z.reduce((a, b) => a + b, 0) / z.length;
    const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
    expect(z.filter((v) => Math.abs(v) < 1).length / z.length).toBeCloseTo(0.6827, 1);
  });
});
