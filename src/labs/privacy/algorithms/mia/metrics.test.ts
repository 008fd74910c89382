import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../core/random';
import { advantage, miaMetrics, rocAuc, rocCurve, rocForLogPlot, tprAtFpr } from './metrics';

/** The AUC as the probability that a random member outscores a random non-member (ties: one half). */
function pairwiseAuc(s: number[], m: boolean[]): number {
  let w = 0;
  let pairs = 0;
  for (let i = 0; i < s.length; i++)
    for (let j = 0; j < s.length; j++)
      if (m[i] && !m[j]) {
        pairs++;
        w += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
      }
  return w / pairs;
}

describe('membership-inference metrics', () => {
  it('separable scores: AUC 1, advantage 1, full TPR at any FPR', () => {
    const s = [0.9, 0.8, 0.7, 0.3, 0.2, 0.1];
    const m = [true, true, true, false, false, false];
    const r = miaMetrics(s, m);
    expect(r.auc).toBe(1);
    expect(r.advantage).toBe(1);
    expect(r.tprAt001).toBe(1);
    // reversed: AUC 0, advantage 0
    const rev = miaMetrics(
      s.map((v) => -v),
      m,
    );
    expect(rev.auc).toBe(0);
    expect(rev.advantage).toBe(0);
  });

  it('identical score distributions give AUC ~0.5 and little advantage', () => {
    const rng = new Rng(3);
    const n = 20000;
    const s = Array.from({ length: n }, () => rng.next());
    const m = Array.from({ length: n }, () => rng.next() < 0.5);
    const r = miaMetrics(s, m);
    expect(Math.abs(r.auc - 0.5)).toBeLessThan(0.01);
    expect(r.advantage).toBeLessThan(0.03);
    expect(r.tprAt01).toBeLessThan(0.03);
  });

  it('all-tied scores: one step from (0,0) to (1,1), AUC 1/2', () => {
    const r = rocCurve([1, 1, 1, 1], [1, 0, 1, 0]);
    expect(Array.from(r.fpr)).toEqual([0, 1]);
    expect(Array.from(r.tpr)).toEqual([0, 1]);
    expect(rocAuc(r)).toBe(0.5);
    expect(advantage(r)).toBe(0);
  });

  it('AUC equals the pairwise (Mann-Whitney) probability, ties included', () => {
    const rng = new Rng(7);
    for (let t = 0; t < 5; t++) {
      const s = Array.from({ length: 60 }, () => Math.floor(rng.next() * 10));
      const m = Array.from({ length: 60 }, (_, i) => i < 2 || (i > 3 && rng.next() < 0.4));
      expect(miaMetrics(s, m).auc).toBeCloseTo(pairwiseAuc(s, m), 12);
    }
  });

  it('TPR at FPR is the last point with FPR strictly below the level (LiRA plot.py)', () => {
    // 1000 non-members, 10 members; the top score is a non-member, then 5 members
    const s: number[] = [];
    const m: boolean[] = [];
    s.push(100);
    m.push(false);
    for (let i = 0; i < 5; i++) {
      s.push(50 - i);
      m.push(true);
    }
    for (let i = 0; i < 999; i++) {
      s.push(-i);
      m.push(false);
    }
    for (let i = 0; i < 5; i++) {
      s.push(-2000 - i);
      m.push(true);
    }
    const r = rocCurve(s, m);
    // FPR 0.001 is reached by the first non-member: only the point before it (0, 0) is strictly below
    expect(tprAtFpr(r, 0.001)).toBe(0);
    // below 1%: up to 9 non-members, so all 5 top members
    expect(tprAtFpr(r, 0.01)).toBe(0.5);
    expect(advantage(r)).toBeCloseTo(0.5 - 0.001, 12);
  });

  it('rejects one-class truth, mismatched lengths and NaN', () => {
    expect(() => rocCurve([1, 2], [1, 1])).toThrow(/member and one non-member/);
    expect(() => rocCurve([1, 2], [1])).toThrow(/labels/);
    expect(() => rocCurve([1, NaN], [1, 0])).toThrow(/NaN/);
  });

  it('the log-plot points are on the curve, increasing, and end at (1, 1)', () => {
    const rng = new Rng(1);
    const m = Array.from({ length: 5000 }, (_, i) => i % 2 === 0);
    const s = m.map((x) => rng.next() + (x ? 0.3 : 0));
    const r = rocCurve(s, m);
    const pts = rocForLogPlot(r, 50);
    // the TPR with no false positive comes first, at FPR 0
    const zero = Array.from(r.fpr).lastIndexOf(0);
    if (r.tpr[zero] > 0) expect(pts[0]).toEqual({ fpr: 0, tpr: r.tpr[zero] });
    expect(rocForLogPlot(rocCurve([3, 2, 1, 0], [1, 1, 0, 0]))[0]).toEqual({ fpr: 0, tpr: 1 });
    expect(pts.length).toBeGreaterThan(10);
    expect(pts[pts.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    for (let i = 1; i < pts.length; i++) expect(pts[i].fpr).toBeGreaterThanOrEqual(pts[i - 1].fpr);
    for (const p of pts) {
      const k = Array.from(r.fpr).findIndex((f, j) => f === p.fpr && r.tpr[j] === p.tpr);
      expect(k).toBeGreaterThanOrEqual(0);
    }
  });
});
