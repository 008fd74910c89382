import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../core/random';
import { liraKeep } from './lira';
import { miaMetrics } from './metrics';
import { logisticRegression, shadowAttackScores, trainShadowAttack } from './shadow';

describe('shadow-model attack (Shokri et al. 2017)', () => {
  it('logistic regression separates a separable set', () => {
    const x = Float64Array.from([-2, -1, -0.5, 0.5, 1, 2]);
    const y = Uint8Array.from([0, 0, 0, 1, 1, 1]);
    const { w, b } = logisticRegression(x, y, 1, { iterations: 500, learningRate: 1, l2: 0 });
    expect(w[0]).toBeGreaterThan(1);
    expect(Math.abs(b)).toBeLessThan(0.1);
  });

  it('learns per class: the membership signal flips sign between the classes', () => {
    // class 0: members are MORE confident; class 1: members are LESS confident (a single global attack
    // model would cancel the two; per-class models find both)
    const rng = new Rng(2);
    const n = 2000;
    const models = 9;
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 2);
    const keep = liraKeep(models, n, () => rng.next());
    const features = keep.map((k) => {
      const f = new Float64Array(n * 2);
      for (let i = 0; i < n; i++) {
        const sign = labels[i] === 0 ? 1 : -1;
        const conf = -1 + sign * (k[i] ? 0.8 : 0) + 0.3 * (rng.next() - 0.5);
        f[i * 2 + labels[i]] = conf;
        f[i * 2 + 1 - labels[i]] = -2;
      }
      return f;
    });
    const attack = trainShadowAttack({ features: features.slice(0, 8), keep: keep.slice(0, 8), labels, classes: 2 });
    const r = miaMetrics(shadowAttackScores(attack, features[8], labels), keep[8]);
    expect(r.auc).toBeGreaterThan(0.99);
    // same data, no signal: ~0.5
    const flat = keep.map(() => Float64Array.from({ length: n * 2 }, () => rng.next()));
    const a2 = trainShadowAttack({ features: flat.slice(0, 8), keep: keep.slice(0, 8), labels, classes: 2 });
    expect(Math.abs(miaMetrics(shadowAttackScores(a2, flat[8], labels), keep[8]).auc - 0.5)).toBeLessThan(0.05);
  });
});
