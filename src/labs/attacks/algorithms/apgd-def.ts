/**
 * The declaration of apgd.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in apgd.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { resolveBudget, type PaperBudget } from './budget';
import type { Norm, SpecBase } from '../../../core/adversarial/types';

export interface ApgdSpec extends SpecBase {
  name: 'apgd-ce';
  norm?: Norm;
  eps: number;
  /** Iterations N_iter; default 100. */
  steps?: number;
  /** Default 1 (no restarts, as in AutoAttack's standard version). */
  restarts?: number;
  /** Default true, the AutoAttack initialisation. */
  randomStart?: boolean;
}

export type ResolvedApgd = Required<Omit<ApgdSpec, 'target'>> & Pick<ApgdSpec, 'target'>;

/**
 * Croce & Hein 2020, AutoAttack's standard version: N_iter = 100, one run (no restarts), from a random
 * start; L-inf by default. APGD-DLR and APGD-T (the same algorithm on other losses) take these too.
 */
export const APGD_BUDGET = { norms: ['linf', 'l2'], steps: 100, restarts: 1, randomStart: true } as const satisfies PaperBudget;

export function resolveApgd(s: ApgdSpec): ResolvedApgd {
  return { name: 'apgd-ce', ...resolveBudget('apgd-ce', s, APGD_BUDGET), target: s.target };
}

/** Step-size, projection and start settings of an APGD run (the loss aside). */
export interface ApgdSettings {
  norm: Norm;
  eps: number;
  /** N_iter. */
  steps: number;
  randomStart: boolean;
}

export const apgdCe = defineAttack<ApgdSpec>({
  name: 'apgd-ce',
  label: 'APGD-CE',
  reference: 'Croce & Hein 2020',
  summary: 'PGD with a step size that adapts itself (checkpoints, step halving, momentum 0.75), on the cross-entropy',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: true,
  params: ['eps', 'steps', 'restarts', 'randomStart', 'seed'],
  defaults: () => ({ steps: APGD_BUDGET.steps, restarts: APGD_BUDGET.restarts }),
  // the AutoAttack initialisation always starts at a random point: the CLI has no switch for it
  cli: { fixed: ['randomStart'] },
  json: (s) => ({ steps: s.steps, step_size: null, random_start: s.randomStart, restarts: s.restarts, initial_step_size: 2 * s.eps }),
  zooNote: 'APGD-CE-100: 100 iterations, 1 restart (Croce & Hein 2020).',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({
      label: 'APGD-CE-100',
      norm: 'linf',
      eps,
      budget: '100 iterations, 1 restart',
      spec: { name: 'apgd-ce', norm: 'linf', eps, steps: 100, restarts: 1, seed },
    })),
  resolve: resolveApgd,
  expectedSteps: (s) => (s.steps ?? 1) * (s.restarts ?? 1),
});
