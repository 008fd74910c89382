import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ModelCard } from '../../core/models/card';
import { epsilonSpent } from './algorithms/accountants/accountant';
import { checkDpSettings, dpPlan, privacyEntry } from './dp-plan';
import { defaultDp } from './experiment/dp';

describe('the DP run plan', () => {
  it("writes the zoo card's privacy entry exactly (rlab train and the tab share it)", () => {
    const card = JSON.parse(readFileSync('models/mnist-dp-sigma1.3/card.json', 'utf8')) as ModelCard;
    const p = card.privacy!;
    const entry = privacyEntry({ noiseMultiplier: 1.3, clip: 1.5, sampleRate: 0.004, expectedBatch: 240, steps: 3750, delta: 1e-5 });
    expect(JSON.parse(JSON.stringify(entry))).toEqual(p);
  });

  it("counts Opacus's steps and expected batch, and spends the accountant's epsilon", () => {
    const s = { ...defaultDp(), slice: 6000, batch: 120, epochs: 2, sigma: 1.1, accountant: 'rdp' as const };
    const plan = dpPlan(s);
    expect(plan).toMatchObject({ sampleRate: 0.02, stepsPerEpoch: 50, totalSteps: 100, expectedBatch: 120, noiseMultiplier: 1.1 });
    expect(plan.epsilon).toBe(epsilonSpent('rdp', [{ noiseMultiplier: 1.1, sampleRate: 0.02, steps: 100 }], 1e-5).epsilon);
  });

  it('finds sigma for a target epsilon with the inverse accountant', () => {
    const plan = dpPlan({ ...defaultDp(), noise: 'epsilon', target: 2, accountant: 'rdp-classic' });
    expect(plan.epsilon).toBeLessThanOrEqual(2);
    expect(plan.epsilon).toBeGreaterThan(1.99);
    expect(
      epsilonSpent(
        'rdp-classic',
        [{ noiseMultiplier: plan.noiseMultiplier * 0.98, sampleRate: plan.sampleRate, steps: plan.totalSteps }],
        1e-5,
      ).epsilon,
    ).toBeGreaterThan(2);
  });

  it('says what is wrong with settings it cannot run', () => {
    const d = defaultDp();
    expect(checkDpSettings(d, 60000)).toBeNull();
    expect(checkDpSettings({ ...d, slice: 70000 }, 60000)).toMatch(/70000 training images asked for/);
    expect(checkDpSettings({ ...d, batch: 7000 }, 60000)).toMatch(/expected batch \(7000\) cannot exceed the training images \(6000\)/);
    expect(checkDpSettings({ ...d, delta: 1e-3 }, 60000)).toMatch(/δ = 0.001 is not below 1 \/ 6000/);
  });
});
