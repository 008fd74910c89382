/**
 * The declaration of bim.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in bim.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { resolveBudget, type PaperBudget } from './budget';
import type { SpecBase } from '../../../core/adversarial/types';

export interface BimSpec extends SpecBase {
  name: 'bim';
  norm?: 'linf';
  eps: number;
  /** Default (Kurakin et al.): min(255 eps + 4, 1.25 * 255 eps), at least 1. */
  steps?: number;
  /** Default (Kurakin et al.): 1/255. */
  stepSize?: number;
}

export type ResolvedBim = Required<Omit<BimSpec, 'target'>> & Pick<BimSpec, 'target'>;

/**
 * Kurakin et al.'s number of iterations for an eps on the [0, 1] scale: floor(min(255 eps + 4,
 * 1.25 * 255 eps)), at least 1. The rule the UI should use too.
 */
export function bimDefaultSteps(eps: number): number {
  return Math.max(1, Math.floor(Math.min(255 * eps + 4, 1.25 * 255 * eps) + 1e-9));
}

/** @deprecated the former name of bimDefaultSteps. */
export const kurakinSteps = bimDefaultSteps;

/** Kurakin et al. 2017: L-inf, steps of 1/255 (one intensity level), bimDefaultSteps(eps) of them, from the clean image. */
export const BIM_BUDGET = {
  norms: ['linf'],
  steps: ({ eps }) => bimDefaultSteps(eps),
  stepSize: 1 / 255,
} as const satisfies PaperBudget;

export function resolveBim(s: BimSpec): ResolvedBim {
  return { name: 'bim', ...resolveBudget('bim', s, BIM_BUDGET), target: s.target };
}

export const bim = defineAttack<BimSpec>({
  name: 'bim',
  label: 'BIM / I-FGSM',
  reference: 'Kurakin, Goodfellow, Bengio 2017 (ILLC for the targeted variant)',
  summary: 'FGSM repeated in small steps of 1/255, clipped to the eps ball, from the clean image',
  norms: ['linf'],
  kind: 'bounded',
  blackBox: false,
  targeted: true,
  params: ['eps', 'steps', 'stepSize', 'seed'],
  defaults: ({ eps }) => ({ steps: bimDefaultSteps(eps), stepSize: BIM_BUDGET.stepSize }),
  followsBudget: ['steps'],
  json: (s) => ({ steps: s.steps, step_size: s.stepSize, random_start: false, restarts: 1 }),
  zooNote: 'BIM-10: 10 steps of eps/4.',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({
      label: 'BIM-10',
      norm: 'linf',
      eps,
      budget: `10 steps of ${Number((eps / 4).toFixed(6))}`,
      spec: { name: 'bim', eps, steps: 10, stepSize: eps / 4, seed },
    })),
  resolve: resolveBim,
  expectedSteps: (s) => s.steps ?? 1,
  steppable: true,
});
