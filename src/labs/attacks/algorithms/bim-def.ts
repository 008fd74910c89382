/**
 * The declaration of bim.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in bim.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { inRange, invalid, isWhole } from '../../../core/adversarial/validate';
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

export function resolveBim(s: BimSpec): ResolvedBim {
  const r: ResolvedBim = {
    name: 'bim',
    norm: s.norm ?? 'linf',
    eps: s.eps,
    steps: s.steps ?? bimDefaultSteps(s.eps),
    stepSize: s.stepSize ?? 1 / 255,
    seed: s.seed ?? 0,
    target: s.target,
  };
  if (r.norm !== 'linf') invalid(`bim supports norm linf only, not "${String(r.norm)}"`);
  if (!inRange(r.eps, 0, 1)) invalid(`eps must be in [0, 1], got ${r.eps}`);
  if (!isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if (!(r.stepSize > 0 && r.stepSize <= 1)) invalid(`step size must be in (0, 1], got ${r.stepSize}`);
  if (!isWhole(r.seed, 0)) invalid(`seed must be a whole number >= 0, got ${r.seed}`);
  return r;
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
  defaults: ({ eps }) => ({ steps: kurakinSteps(eps), stepSize: 1 / 255 }),
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
