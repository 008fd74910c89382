import { describe, expect, it } from 'vitest';
import { epsilonSpent, noiseMultiplierFor, PrivacyAccountant, stepsForEpochs } from './accountant';

describe('accountants behind one interface', () => {
  it('a running accountant merges equal steps, caches RDP, and agrees with the one-shot epsilon', () => {
    for (const name of ['rdp', 'rdp-classic'] as const) {
      const acc = new PrivacyAccountant(name);
      expect(acc.spent(1e-5)).toEqual({ epsilon: 0, order: 0 });
      for (let i = 0; i < 30; i++) acc.step(1.1, 0.01);
      acc.step(2, 0.02, 10);
      acc.step(1.1, 0.01);
      expect(acc.history).toEqual([
        { noiseMultiplier: 1.1, sampleRate: 0.01, steps: 30 },
        { noiseMultiplier: 2, sampleRate: 0.02, steps: 10 },
        { noiseMultiplier: 1.1, sampleRate: 0.01, steps: 1 },
      ]);
      expect(acc.steps).toBe(41);
      const once = epsilonSpent(name, acc.history, 1e-5);
      expect(acc.spent(1e-5).epsilon).toBeCloseTo(once.epsilon, 12);
      expect(acc.spent(1e-5).order).toBe(once.order);
    }
    const prv = new PrivacyAccountant('prv');
    prv.step(1, 0.02, 100);
    expect(prv.spent(1e-5).epsilon).toBe(epsilonSpent('prv', [{ noiseMultiplier: 1, sampleRate: 0.02, steps: 100 }], 1e-5).epsilon);
    expect(prv.spent(1e-5).order).toBeUndefined();
  });

  it('rejects impossible mechanisms', () => {
    const acc = new PrivacyAccountant('rdp');
    expect(() => acc.step(0, 0.1)).toThrow(/noise multiplier 0 is not positive/);
    expect(() => acc.step(1, 1.5)).toThrow(/sample rate 1.5 is outside \(0, 1\]/);
    expect(() => acc.step(1, 0.1, 2.5)).toThrow(/steps 2.5/);
    expect(() => epsilonSpent('rdp', [], 0)).toThrow(/delta 0 is outside/);
  });

  it('steps of E epochs: E / q, truncated as Opacus, float artefacts absorbed', () => {
    expect(stepsForEpochs(15, 0.004)).toBe(3750);
    expect(stepsForEpochs(90, 0.04)).toBe(2250);
    expect(stepsForEpochs(1, 0.3)).toBe(3);
    expect(stepsForEpochs(0.7, 0.1)).toBe(7); // 0.7 / 0.1 = 6.999999999999999 in doubles
    expect(stepsForEpochs(1, 0.007)).toBe(142); // 142.857...: truncated
  });
});

describe('the noise multiplier for a target epsilon', () => {
  it("Opacus's test values (tests/accountants_test.py): RDP, q 0.04, delta 1e-5, epsilon 8", () => {
    const q = { targetEpsilon: 8, delta: 1e-5, sampleRate: 0.04, accountant: 'rdp' as const };
    expect(noiseMultiplierFor({ ...q, steps: stepsForEpochs(90, 0.04) }).noiseMultiplier).toBeCloseTo(1.416, 3);
    expect(noiseMultiplierFor({ ...q, steps: 2000 }).noiseMultiplier).toBeCloseTo(1.3562, 4);
  });

  it('round-trips: the epsilon at the returned sigma is within the tolerance below the target', () => {
    for (const accountant of ['rdp', 'rdp-classic', 'prv'] as const) {
      const steps = accountant === 'prv' ? 100 : 3000;
      for (const target of { rdp: [0.5, 9], 'rdp-classic': [3], prv: [2] }[accountant]) {
        const { noiseMultiplier, epsilon } = noiseMultiplierFor({
          targetEpsilon: target,
          delta: 1e-5,
          sampleRate: 0.01,
          steps,
          accountant,
        });
        const again = epsilonSpent(accountant, [{ noiseMultiplier, sampleRate: 0.01, steps }], 1e-5).epsilon;
        expect(again).toBe(epsilon);
        expect(again).toBeLessThanOrEqual(target);
        expect(target - again).toBeLessThanOrEqual(0.01);
        // and a little less noise would overspend (the bisection's lower end)
        const less = epsilonSpent(accountant, [{ noiseMultiplier: noiseMultiplier * 0.98, sampleRate: 0.01, steps }], 1e-5).epsilon;
        expect(less).toBeGreaterThan(target - 0.01);
      }
    }
  });

  it('a budget no noise can meet is refused as Opacus does', () => {
    expect(() => noiseMultiplierFor({ targetEpsilon: 1e-4, delta: 1e-5, sampleRate: 1, steps: 1e6, accountant: 'rdp' })).toThrow(
      /The privacy budget is too low/,
    );
  });
});
