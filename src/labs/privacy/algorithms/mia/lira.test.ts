import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../core/random';
import { fitGaussians, liraKeep, liraOffline, liraOnline } from './lira';
import { lossThresholdScores } from './loss-threshold';
import { miaMetrics } from './metrics';

/** A normal draw (Box-Muller). */
const gauss = (rng: Rng) => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/**
 * A world where each example i has its own difficulty d_i (spread wide) and membership lifts the score
 * by `lift`: a global threshold confuses easy non-members with hard members; a per-example test does not.
 */
function world(n: number, models: number, lift: number, seed: number) {
  const rng = new Rng(seed);
  const d = Array.from({ length: n }, () => 6 * gauss(rng));
  const keep = liraKeep(models, n, () => rng.next());
  const scores = keep.map((k) => Float64Array.from(d, (di, i) => di + (k[i] ? lift : 0) + 0.5 * gauss(rng)));
  return { d, keep, scores };
}

describe('LiRA (Carlini et al. 2022, mi_lira_2021)', () => {
  it('keeps each example in exactly floor(models / 2) models', () => {
    const rng = new Rng(1);
    const keep = liraKeep(17, 500, () => rng.next());
    for (let i = 0; i < 500; i++) expect(keep.reduce((s, k) => s + k[i], 0)).toBe(8);
    // each model keeps about half
    for (const k of keep) expect(Math.abs(k.reduce((a, b) => a + b, 0) / 500 - 8 / 17)).toBeLessThan(0.08);
  });

  it('fits the median and the population deviation, truncated to the smallest count', () => {
    // 3 models, 2 examples: example 0 in models 0 and 1, example 1 in model 2
    const scores = [Float64Array.from([1, 10]), Float64Array.from([3, 20]), Float64Array.from([100, 7])];
    const keep = [Uint8Array.from([1, 0]), Uint8Array.from([1, 0]), Uint8Array.from([0, 1])];
    const f = fitGaussians({ scores, keep });
    expect(f.inSize).toBe(1);
    expect(f.outSize).toBe(1);
    expect(Array.from(f.meanIn)).toEqual([1, 7]);
    expect(Array.from(f.meanOut)).toEqual([100, 10]);
    const g = fitGaussians({
      scores: [Float64Array.from([1]), Float64Array.from([3]), Float64Array.from([8]), Float64Array.from([0])],
      keep: [[1], [1], [1], [0]],
    });
    expect(g.meanIn[0]).toBe(3);
    expect(g.sdIn[0]).toBeCloseTo(Math.sqrt(((1 - 4) ** 2 + (3 - 4) ** 2 + (8 - 4) ** 2) / 3), 12);
  });

  it('online, offline and fixed variance beat the global threshold at low FPR when difficulty varies', () => {
    const { keep, scores } = world(4000, 17, 2, 5);
    const sh = { scores: scores.slice(0, 16), keep: keep.slice(0, 16) };
    const target = scores[16];
    const member = keep[16];
    const global = miaMetrics(target, member);
    const on = miaMetrics(liraOnline(sh, target), member);
    const fixed = miaMetrics(liraOnline(sh, target, { fixVariance: true }), member);
    const off = miaMetrics(liraOffline(sh, target), member);
    expect(global.auc).toBeLessThan(0.65);
    for (const r of [on, fixed, off]) {
      expect(r.auc).toBeGreaterThan(0.9);
      expect(r.tprAt01).toBeGreaterThan(5 * Math.max(global.tprAt01, 0.01));
    }
  });

  it('no membership signal: AUC ~0.5', () => {
    const { keep, scores } = world(4000, 17, 0, 9);
    const sh = { scores: scores.slice(0, 16), keep: keep.slice(0, 16) };
    for (const s of [liraOnline(sh, scores[16]), liraOffline(sh, scores[16])])
      expect(Math.abs(miaMetrics(s, keep[16]).auc - 0.5)).toBeLessThan(0.03);
    expect(Math.abs(miaMetrics(lossThresholdScores(scores[16].map((v) => -v)), keep[16]).auc - 0.5)).toBeLessThan(0.05);
  });

  it('online LiRA is the exact Gaussian log-likelihood ratio', () => {
    // in scores {2, 4} (median 3, sd 1), out scores {-1, 1} (median 0, sd 1): LR at x = x^2/2 - (x-3)^2/2
    const scores = [[2], [4], [-1], [1]].map((a) => Float64Array.from(a));
    const keep = [[1], [1], [0], [0]];
    const x = 1.7;
    expect(liraOnline({ scores, keep }, [x])[0]).toBeCloseTo(x ** 2 / 2 - (x - 3) ** 2 / 2, 12);
    expect(liraOffline({ scores, keep }, [x])[0]).toBeCloseTo(1.7, 12);
  });

  it('says so when an example has no out (or no in) scores', () => {
    expect(() => liraOffline({ scores: [[1]], keep: [[1]] }, [1])).toThrow(/no out scores/);
    expect(() => liraOnline({ scores: [[1]], keep: [[0]] }, [1])).toThrow(/no in scores/);
  });
});
