/**
 * The shared budget resolver (budget.ts) and the paper defaults each attack keeps beside its algorithm:
 * what every resolver that goes through it fills in and refuses. The values pinned here are the ones the
 * hand-written resolvers gave before they shared it (the registry's resolve, every attack).
 */
import { describe, expect, it } from 'vitest';
import { resolveBudget } from './budget';
import { getAttack } from './registry';
import { bimDefaultSteps } from './bim-def';

const resolve = (spec: Record<string, unknown>) => getAttack(spec.name as string).resolve(spec) as Record<string, unknown>;
const error = (spec: Record<string, unknown>) => {
  try {
    resolve(spec);
  } catch (e) {
    return (e as Error).message;
  }
  return 'resolved';
};

describe('resolveBudget', () => {
  it('fills in only the options the paper defaults name, a given value winning, rules seeing the resolved steps', () => {
    const paper = { norms: ['l2', 'linf'], steps: 5, stepSize: ({ eps, steps }: { eps: number; steps: number }) => eps / steps } as const;
    expect(resolveBudget('x', { eps: 1 }, paper)).toEqual({ norm: 'l2', eps: 1, steps: 5, stepSize: 0.2, seed: 0 });
    expect(Object.keys(resolveBudget('x', { eps: 1 }, paper))).toEqual(['norm', 'eps', 'steps', 'stepSize', 'seed']);
    expect(resolveBudget('x', { eps: 1, steps: 4, seed: 3, norm: 'linf' }, paper)).toEqual({
      norm: 'linf',
      eps: 1,
      steps: 4,
      stepSize: 0.25,
      seed: 3,
    });
    expect(resolveBudget('x', { eps: 0.5 }, { norms: ['linf'] })).toEqual({ norm: 'linf', eps: 0.5, seed: 0 });
    expect(resolveBudget('x', { eps: 0.5, restarts: 3 }, { norms: ['linf'], restarts: 1, randomStart: true })).toEqual({
      norm: 'linf',
      eps: 0.5,
      restarts: 3,
      randomStart: true,
      seed: 0,
    });
  });

  it('a step size of 0 passes at eps 0 only where the default follows the budget', () => {
    expect(resolveBudget('x', { eps: 0, stepSize: 0 }, { norms: ['linf'], stepSize: () => 0.1 }).stepSize).toBe(0);
    expect(() => resolveBudget('x', { eps: 0, stepSize: 0 }, { norms: ['linf'], stepSize: 0.1 })).toThrow(
      'invalid attack options: step size must be in (0, 1], got 0',
    );
    expect(() => resolveBudget('x', { eps: 0.1, stepSize: 0 }, { norms: ['linf'], stepSize: () => 0.1 })).toThrow(/step size/);
  });
});

describe("each attack's paper defaults, through the shared resolver", () => {
  it('PGD: Madry et al., 40 steps of 0.01 from a random start; L2 steps of 2.5 eps / steps', () => {
    expect(resolve({ name: 'pgd', eps: 0.3 })).toEqual({
      name: 'pgd',
      norm: 'linf',
      eps: 0.3,
      steps: 40,
      stepSize: 0.01,
      randomStart: true,
      restarts: 1,
      seed: 0,
    });
    expect(resolve({ name: 'pgd', norm: 'l2', eps: 2, steps: 20 }).stepSize).toBe((2.5 * 2) / 20);
    expect(resolve({ name: 'pgd', norm: 'l2', eps: 2 }).stepSize).toBe((2.5 * 2) / 40);
    expect(resolve({ name: 'pgd', eps: 0.3, target: 'least-likely' }).target).toBe('least-likely');
    expect(resolve({ name: 'pgd', norm: 'l2', eps: 0, stepSize: 0 }).stepSize).toBe(0);
  });

  it('MI-FGSM: Dong et al., 10 steps of eps / steps, momentum 1, no random start nor restarts', () => {
    expect(resolve({ name: 'mifgsm', eps: 0.3 })).toEqual({
      name: 'mifgsm',
      norm: 'linf',
      eps: 0.3,
      steps: 10,
      stepSize: 0.3 / 10,
      momentum: 1,
      seed: 0,
    });
    expect(resolve({ name: 'mifgsm', norm: 'l2', eps: 2, steps: 4 }).stepSize).toBe(0.5);
    expect(resolve({ name: 'mifgsm', eps: 0, stepSize: 0 }).stepSize).toBe(0);
    expect(resolve({ name: 'mifgsm', eps: 0.3 })).not.toHaveProperty('restarts');
  });

  it('BIM: Kurakin et al., steps of 1/255, min(255 eps + 4, 1.25 * 255 eps) of them; L-inf only', () => {
    expect(resolve({ name: 'bim', eps: 0.3 })).toEqual({ name: 'bim', norm: 'linf', eps: 0.3, steps: 80, stepSize: 1 / 255, seed: 0 });
    expect(resolve({ name: 'bim', eps: 4 / 255 }).steps).toBe(bimDefaultSteps(4 / 255));
    expect(resolve({ name: 'bim', eps: 0.3, steps: 5 }).steps).toBe(5);
    expect(error({ name: 'bim', eps: 0, stepSize: 0 })).toBe('invalid attack options: step size must be in (0, 1], got 0');
    expect(error({ name: 'bim', norm: 'l2', eps: 1 })).toBe('invalid attack options: bim supports norm linf only, not "l2"');
  });

  it('FGSM: one step, no random start unless asked; L-inf only', () => {
    expect(resolve({ name: 'fgsm', eps: 0.1 })).toEqual({ name: 'fgsm', norm: 'linf', eps: 0.1, randomStart: false, seed: 0 });
    expect(error({ name: 'fgsm', norm: 'l2', eps: 1 })).toBe('invalid attack options: fgsm supports norm linf only, not "l2"');
  });

  it('APGD-CE, APGD-DLR, APGD-T: AutoAttack, 100 iterations, one run, a random start (APGD-T: 9 targets)', () => {
    const apgd = { norm: 'linf', eps: 0.3, steps: 100, restarts: 1, randomStart: true, seed: 0 };
    expect(resolve({ name: 'apgd-ce', eps: 0.3 })).toEqual({ name: 'apgd-ce', ...apgd });
    expect(resolve({ name: 'apgd-dlr', eps: 0.3 })).toEqual({ name: 'apgd-dlr', ...apgd });
    expect(resolve({ name: 'apgd-t', eps: 0.3 })).toEqual({ name: 'apgd-t', ...apgd, targetClasses: 9 });
    expect(resolve({ name: 'apgd-ce', norm: 'l2', eps: 2, steps: 20, restarts: 2, randomStart: false, seed: 4 })).toEqual({
      name: 'apgd-ce',
      norm: 'l2',
      eps: 2,
      steps: 20,
      restarts: 2,
      randomStart: false,
      seed: 4,
    });
    for (const name of ['apgd-ce', 'apgd-dlr', 'apgd-t']) expect(resolve({ name, eps: 0.3 }), name).not.toHaveProperty('stepSize');
  });

  // FAB-T's defaults: fab.test.ts
  it('Square, AutoAttack: their budgets and own options', () => {
    expect(resolve({ name: 'square', eps: 0.3 })).toEqual({ name: 'square', norm: 'linf', eps: 0.3, queries: 5000, pInit: 0.8, seed: 0 });
    expect(resolve({ name: 'autoattack', norm: 'l2', eps: 0.5 })).toEqual({
      name: 'autoattack',
      norm: 'l2',
      eps: 0.5,
      version: 'standard',
      seed: 0,
    });
    expect(error({ name: 'fab-t', eps: 0.3, target: 2 })).toMatch(/fab-t chooses its own target classes/);
    expect(error({ name: 'autoattack', eps: 0.3, version: 'plus' })).toBe(
      'invalid attack options: autoattack version must be "standard", not "plus"',
    );
  });

  it('refuses the same options with the same messages, whichever attack', () => {
    const bounded = ['pgd', 'mifgsm', 'apgd-ce', 'apgd-dlr', 'apgd-t', 'fab-t', 'square', 'autoattack'];
    for (const name of bounded) {
      expect(error({ name, norm: 'l1', eps: 0.1 }), name).toBe(`invalid attack options: ${name} supports norm linf or l2, not "l1"`);
      expect(error({ name, eps: 1.5 }), name).toBe('invalid attack options: eps must be in [0, 1], got 1.5');
      expect(error({ name, norm: 'l2', eps: 1001 }), name).toBe('invalid attack options: eps must be in [0, 1000], got 1001');
      expect(error({ name, eps: 0.1, seed: 1.5 }), name).toBe('invalid attack options: seed must be a whole number >= 0, got 1.5');
      expect(error({ name, norm: 'l2', eps: 28 }), name).toBe('resolved');
    }
    for (const name of ['pgd', 'mifgsm', 'bim', 'apgd-ce', 'apgd-dlr', 'apgd-t', 'fab-t'])
      expect(error({ name, eps: 0.1, steps: 2.5 }), name).toBe('invalid attack options: steps must be a whole number >= 1, got 2.5');
    for (const name of ['pgd', 'apgd-ce', 'apgd-dlr', 'apgd-t', 'fab-t'])
      expect(error({ name, eps: 0.1, restarts: 0 }), name).toBe('invalid attack options: restarts must be a whole number >= 1, got 0');
    for (const name of ['pgd', 'mifgsm', 'bim']) {
      expect(error({ name, eps: 0.1, stepSize: 1.5 }), name).toBe('invalid attack options: step size must be in (0, 1], got 1.5');
      expect(error({ name, eps: 0.1, stepSize: 0 }), name).toMatch(/step size must be in \(0, 1\], got 0$/);
    }
    expect(error({ name: 'pgd', norm: 'l2', eps: 2, stepSize: 1.5 })).toBe('resolved');
    expect(error({ name: 'pgd', eps: 0.1, randomStart: 'yes' })).toBe('invalid attack options: randomStart must be true or false, got yes');
    expect(error({ name: 'mifgsm', eps: 0.1, momentum: -1 })).toBe('invalid attack options: momentum must be in [0, 100], got -1');
    expect(error({ name: 'apgd-t', eps: 0.1, targetClasses: 0 })).toBe(
      'invalid attack options: targetClasses must be a whole number >= 1, got 0',
    );
  });
});
