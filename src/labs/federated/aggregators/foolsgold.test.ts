import { describe, expect, it } from 'vitest';
import { foolsgold, foolsgoldWeights } from './foolsgold';
import { ones, params, vecs } from './test-helpers';

describe('FoolsGold', () => {
  it('gives identical sybils weight 0 and keeps diverse honest clients at 1', () => {
    const honest = [0, 1, 2, 3].map((k) => [0, 1, 2, 3].map((j): number => (j === k ? 1 : 0)).concat([0.1, 0]));
    const sybil = [0.2, 0.2, 0, 0, 0, 1];
    const history = vecs([...honest, sybil, sybil, sybil]);
    // this round the sybils send slightly different updates: FoolsGold scores the history
    const updates = vecs([...honest, [0.2, 0.2, 0, 0, 0, 1], [0.21, 0.2, 0, 0, 0, 1], [0.2, 0.19, 0, 0, 0, 1]]);
    const r = foolsgold({ updates, history, sizes: ones(7) }, params());
    expect(r.weights!.slice(4)).toEqual([0, 0, 0]);
    for (const w of r.weights!.slice(0, 4)) expect(w).toBeGreaterThan(0.9);
    // the aggregate: each update scaled by its weight, summed, divided by n = 7
    for (let j = 0; j < 6; j++) {
      const expected = honest.reduce((a, h, i) => a + r.weights![i] * h[j], 0) / 7;
      expect(r.aggregate[j]).toBeCloseTo(expected, 6);
    }
  });

  it('the logit with kappa: a client with cosine 0.5 to its nearest gets 0.5 (kappa 1), 1 (kappa 2)', () => {
    const h = vecs([
      [1, 0, 0],
      [0.5, Math.sqrt(3) / 2, 0],
      [0, 0, 1],
    ]);
    // maxcs 0.5, 0.5, 0 -> wv 0.5, 0.5, 1 -> rescaled 0.5, 0.5, 0.99 -> logit ln(1) + 0.5 = 0.5; ln(99) + 0.5 > 1
    const w1 = foolsgoldWeights(h, 1).wv;
    expect(w1[0]).toBeCloseTo(0.5, 6);
    expect(w1[1]).toBeCloseTo(0.5, 6);
    expect(w1[2]).toBe(1);
    expect(foolsgoldWeights(h, 2).wv.map((w) => Number(w.toFixed(6)))).toEqual([1, 1, 1]);
    const r = foolsgold({ updates: h, sizes: ones(3) }, params({ kappa: 1 }));
    expect(r.aggregate[0]).toBeCloseTo((0.5 * 1 + 0.5 * 0.5) / 3, 6);
    expect(r.aggregate[2]).toBeCloseTo(1 / 3, 6);
  });

  it('pardons a client whose nearest neighbour is more similar to someone else', () => {
    const h = vecs([
      [1, 0, 0],
      [0.8, 0.6, 0],
      [0, 0.6, 0.8],
    ]);
    // cos: (0,1) 0.8, (0,2) 0, (1,2) 0.36; maxcs 0.8, 0.8, 0.36; client 2: 0.36 * 0.36 / 0.8 = 0.162
    const { wv, maxSimilarity } = foolsgoldWeights(h, 1);
    expect(maxSimilarity[0]).toBeCloseTo(0.8, 6);
    expect(maxSimilarity[2]).toBeCloseTo(0.162, 6);
    // wv 0.2, 0.2, 0.838 -> /0.838 -> 0.2387, 0.2387, 0.99 -> logit: ln(0.2387 / 0.7613) + 0.5 < 0 -> 0
    expect(wv).toEqual([0, 0, 1]);
  });

  it('refuses kappa <= 0 and history of another length', () => {
    const u = vecs([[1], [2]]);
    expect(() => foolsgold({ updates: u, sizes: ones(2) }, params({ kappa: 0 }))).toThrow(/kappa/);
    expect(() => foolsgold({ updates: u, history: vecs([[1]]), sizes: ones(2) }, params())).toThrow(/1 history vectors for 2 updates/);
  });
});
