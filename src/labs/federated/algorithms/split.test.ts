import { describe, expect, it } from 'vitest';
import { Rng } from '../../../core/random';
import { dirichletSample, gammaSample, labelHistograms, parseSplit, splitClients } from './split';

const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);

describe('Gamma and Dirichlet draws', () => {
  it('Gamma(a) has mean a and variance a, for shapes above and below 1', () => {
    for (const a of [0.1, 0.5, 1, 2.5, 7]) {
      const rng = new Rng(3);
      const n = 20_000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const x = gammaSample(a, rng);
        expect(x).toBeGreaterThanOrEqual(0);
        s += x;
        s2 += x * x;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      // standard error of the mean: sqrt(a / n)
      expect(Math.abs(mean - a)).toBeLessThan(5 * Math.sqrt(a / n));
      expect(Math.abs(variance - a) / a).toBeLessThan(0.12);
    }
  });

  it('Dirichlet proportions sum to 1 and concentrate on few parts for a small alpha', () => {
    const rng = new Rng(1);
    let maxSmall = 0;
    let maxLarge = 0;
    for (let t = 0; t < 200; t++) {
      const p = dirichletSample(0.1, 10, rng);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      maxSmall += Math.max(...p) / 200;
      maxLarge += Math.max(...dirichletSample(100, 10, rng)) / 200;
    }
    expect(maxSmall).toBeGreaterThan(0.6);
    expect(maxLarge).toBeLessThan(0.15);
  });
});

describe('splitClients', () => {
  it('IID: disjoint parts of equal size, seeded, with the per-client cap', () => {
    const parts = splitClients(labels(1000), 10, { kind: 'iid' }, 0, { perClient: 60 });
    expect(parts.map((p) => p.length)).toEqual(new Array(10).fill(60));
    const all = new Set(parts.flatMap((p) => Array.from(p)));
    expect(all.size).toBe(600);
    expect(splitClients(labels(1000), 10, { kind: 'iid' }, 0, { perClient: 60 })).toEqual(parts);
    expect(splitClients(labels(1000), 10, { kind: 'iid' }, 1, { perClient: 60 })).not.toEqual(parts);
    // without a cap every image is dealt out
    const full = splitClients(labels(1003), 10, { kind: 'iid' }, 0);
    expect(full.reduce((a, p) => a + p.length, 0)).toBe(1003);
    // IID histograms are roughly flat
    const h = labelHistograms(labels(1000), parts);
    expect(Math.max(...h.flat())).toBeLessThan(20);
  });

  it('Dirichlet 0.1 skews the labels, Dirichlet 1000 does not; every image goes to exactly one client', () => {
    const lab = labels(5000);
    const skew = splitClients(lab, 10, { kind: 'dirichlet', alpha: 0.1 }, 0);
    const flat = splitClients(lab, 10, { kind: 'dirichlet', alpha: 1000 }, 0);
    for (const parts of [skew, flat]) {
      const ids = parts.flatMap((p) => Array.from(p));
      expect(ids.length).toBe(5000);
      expect(new Set(ids).size).toBe(5000);
      expect(parts.every((p) => p.length >= 10)).toBe(true);
    }
    // share of a client's images in its most frequent class
    const dominance = (parts: Int32Array[]) => {
      const h = labelHistograms(lab, parts);
      return h.reduce((a, row) => a + Math.max(...row) / row.reduce((x, y) => x + y, 0), 0) / h.length;
    };
    expect(dominance(skew)).toBeGreaterThan(0.5);
    expect(dominance(flat)).toBeLessThan(0.2);
    expect(splitClients(lab, 10, { kind: 'dirichlet', alpha: 0.1 }, 0)).toEqual(skew);
  });

  it('parses split specs and rejects bad ones and impossible caps in one line', () => {
    expect(parseSplit('iid')).toEqual({ kind: 'iid' });
    expect(parseSplit('dirichlet:0.5')).toEqual({ kind: 'dirichlet', alpha: 0.5 });
    for (const bad of ['dirichlet', 'dirichlet:0', 'dirichlet:-1', 'noniid', 'dirichlet:x'])
      expect(() => parseSplit(bad)).toThrow(/^Bad split/);
    expect(() => splitClients(labels(100), 10, { kind: 'iid' }, 0, { perClient: 20 })).toThrow(/need 200 images/);
  });
});
