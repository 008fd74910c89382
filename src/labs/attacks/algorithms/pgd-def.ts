/**
 * The declaration of pgd.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in pgd.ts, attached by registry.ts.
 */
import { defineAttack, type ZooRow } from './definition';
import { resolveBudget, type PaperBudget } from './budget';
import type { Norm, SpecBase } from '../../../core/adversarial/types';

export interface PgdSpec extends SpecBase {
  name: 'pgd';
  norm?: Norm;
  eps: number;
  /** Default 40. */
  steps?: number;
  /** Default: 0.01 (L-inf), 2.5 eps / steps (L2). */
  stepSize?: number;
  /** Default true. */
  randomStart?: boolean;
  /** Default 1. */
  restarts?: number;
}

export type ResolvedPgd = Required<Omit<PgdSpec, 'target'>> & Pick<PgdSpec, 'target'>;

/**
 * Madry et al. 2018: 40 steps of 0.01 (MNIST, L-inf) from a random start, one run; L2: steps of
 * 2.5 eps / steps (their rule for the L2 ball).
 */
export const PGD_BUDGET = {
  norms: ['linf', 'l2'],
  steps: 40,
  stepSize: ({ norm, eps, steps }) => (norm === 'linf' ? 0.01 : (2.5 * eps) / steps),
  randomStart: true,
  restarts: 1,
} as const satisfies PaperBudget;

export function resolvePgd(s: PgdSpec): ResolvedPgd {
  return { name: 'pgd', ...resolveBudget('pgd', s, PGD_BUDGET), target: s.target };
}

export const pgd = defineAttack<PgdSpec>({
  name: 'pgd',
  label: 'PGD',
  reference: 'Madry et al. 2018',
  summary: 'projected gradient steps from a random start in the eps ball',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: true,
  params: ['eps', 'steps', 'stepSize', 'randomStart', 'restarts', 'seed'],
  // Madry et al.: MNIST 40 steps of 0.01; CIFAR-10 steps of 2/255; L2: 2.5 eps / steps
  defaults: ({ eps, norm, steps, colour }) => ({
    steps: 40,
    stepSize: norm === 'l2' ? Math.max(1e-4, Number(((2.5 * eps) / steps).toFixed(4))) : colour ? 2 / 255 : 0.01,
    restarts: 1,
  }),
  followsBudget: ['stepSize'],
  cli: { absent: { randomStart: false } },
  json: (s) => ({ steps: s.steps, step_size: s.stepSize, random_start: s.randomStart, restarts: s.restarts }),
  jsonStats: false,
  // L-inf: the setting of the card's own PGD figure at that eps (so the row re-measures it), else 40 steps of 0.01
  zooNote:
    "PGD: the setting of the model card's own PGD figure at that eps (steps, step size, random start, restarts), so the row re-measures that figure on these images; 40 steps of 0.01 from a random start where the card has none. PGD-L2-40: 40 steps of 2.5 eps/40 from a random start in the L2 ball.",
  zooRows: ({ linf, l2, seed, cardPgd, budget }): ZooRow[] => [
    ...linf.map((eps): ZooRow => {
      const { steps, stepSize, randomStart, restarts } = cardPgd(eps) ?? { steps: 40, stepSize: 0.01, randomStart: true, restarts: 1 };
      return {
        label: `PGD-${steps}`,
        norm: 'linf',
        eps,
        budget: `${steps} steps of ${budget(stepSize)}${randomStart ? ', random start' : ''}${restarts > 1 ? `, ${restarts} restarts` : ''}`,
        spec: { name: 'pgd', norm: 'linf', eps, steps, stepSize, randomStart, restarts, seed },
      };
    }),
    {
      label: 'PGD-L2-40',
      norm: 'l2' as const,
      eps: l2,
      budget: `40 steps of ${Number(((2.5 * l2) / 40).toFixed(6))}, random start`,
      spec: { name: 'pgd', norm: 'l2' as const, eps: l2, steps: 40, stepSize: (2.5 * l2) / 40, randomStart: true, restarts: 1, seed },
    },
  ],
  resolve: resolvePgd,
  expectedSteps: (s) => (s.steps ?? 1) * (s.restarts ?? 1),
  steppable: true,
});
