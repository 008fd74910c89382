/**
 * The declaration of mifgsm.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in mifgsm.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { inRange, invalid } from '../../../core/adversarial/validate';
import { resolveBudget, type PaperBudget } from './budget';
import type { Norm, SpecBase } from '../../../core/adversarial/types';

export interface MifgsmSpec extends SpecBase {
  name: 'mifgsm';
  norm?: Norm;
  eps: number;
  /** Default 10 (Dong et al.). */
  steps?: number;
  /** Default eps / steps (Dong et al.). */
  stepSize?: number;
  /** Decay factor mu of the momentum; default 1.0. */
  momentum?: number;
}

/** Dong et al.'s step size for an eps (on the attack's norm) and a number of iterations T: alpha = eps / T. */
export function mifgsmDefaultStepSize(eps: number, steps: number): number {
  return eps / steps;
}

export type ResolvedMifgsm = Required<Omit<MifgsmSpec, 'target'>> & Pick<MifgsmSpec, 'target'>;

/** Dong et al. 2018: T = 10 iterations of alpha = eps / T, from the clean image (no random start, no restarts). */
export const MIFGSM_BUDGET = {
  norms: ['linf', 'l2'],
  steps: 10,
  stepSize: ({ eps, steps }) => mifgsmDefaultStepSize(eps, steps),
} as const satisfies PaperBudget;

/** Dong et al.'s decay factor mu. */
export const MIFGSM_MOMENTUM = 1.0;

export function resolveMifgsm(s: MifgsmSpec): ResolvedMifgsm {
  const r: ResolvedMifgsm = {
    name: 'mifgsm',
    ...resolveBudget('mifgsm', s, MIFGSM_BUDGET),
    momentum: s.momentum ?? MIFGSM_MOMENTUM,
    target: s.target,
  };
  if (!inRange(r.momentum, 0, 100)) invalid(`momentum must be in [0, 100], got ${r.momentum}`);
  return r;
}

export const mifgsm = defineAttack<MifgsmSpec>({
  name: 'mifgsm',
  label: 'MI-FGSM',
  reference: 'Dong et al. 2018',
  summary: 'iterative FGSM with a momentum of normalised gradients (steps of eps / steps)',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: true,
  params: ['eps', 'steps', 'stepSize', 'momentum', 'seed'],
  fields: [
    {
      path: 'attack.momentum',
      url: 'mu',
      cli: 'momentum',
      type: { kind: 'float', min: 0, max: 100 },
      label: 'momentum',
      short: 'Momentum μ',
      help: 'decay factor mu of the accumulated gradient (Dong et al.: 1)',
      default: MIFGSM_MOMENTUM,
      slider: () => ({ min: 0, max: 2, step: 0.05 }),
    },
  ],
  defaults: ({ eps, steps }) => ({
    steps: MIFGSM_BUDGET.steps,
    stepSize: Math.max(1e-4, Number(mifgsmDefaultStepSize(eps, steps).toFixed(4))),
    momentum: MIFGSM_MOMENTUM,
  }),
  followsBudget: ['stepSize'],
  json: (s) => ({ steps: s.steps, step_size: s.stepSize, random_start: false, restarts: 1, momentum: s.momentum }),
  zooNote: 'MI-FGSM-10: 10 steps of eps/10, momentum 1.',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({
      label: 'MI-FGSM-10',
      norm: 'linf',
      eps,
      budget: `10 steps of ${Number((eps / 10).toFixed(6))}, μ 1`,
      spec: { name: 'mifgsm', norm: 'linf', eps, steps: 10, stepSize: eps / 10, momentum: 1, seed },
    })),
  resolve: resolveMifgsm,
  expectedSteps: (s) => s.steps ?? 1,
  steppable: true,
});
