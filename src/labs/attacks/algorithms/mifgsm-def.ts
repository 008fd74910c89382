/**
 * The declaration of mifgsm.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in mifgsm.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { inRange, invalid, isWhole } from '../../../core/adversarial/validate';
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

export function resolveMifgsm(s: MifgsmSpec): ResolvedMifgsm {
  const norm = s.norm ?? 'linf';
  const steps = s.steps ?? 10;
  const r: ResolvedMifgsm = {
    name: 'mifgsm',
    norm,
    eps: s.eps,
    steps,
    stepSize: s.stepSize ?? mifgsmDefaultStepSize(s.eps, steps),
    momentum: s.momentum ?? 1.0,
    seed: s.seed ?? 0,
    target: s.target,
  };
  if (norm !== 'linf' && norm !== 'l2') invalid(`mifgsm supports norm linf or l2, not "${String(norm)}"`);
  const maxEps = norm === 'linf' ? 1 : 1000;
  if (!inRange(r.eps, 0, maxEps)) invalid(`eps must be in [0, ${maxEps}], got ${r.eps}`);
  if (!isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if (!(r.stepSize > 0 && r.stepSize <= maxEps) && !(r.eps === 0 && r.stepSize === 0))
    invalid(`step size must be in (0, ${maxEps}], got ${r.stepSize}`);
  if (!inRange(r.momentum, 0, 100)) invalid(`momentum must be in [0, 100], got ${r.momentum}`);
  if (!isWhole(r.seed, 0)) invalid(`seed must be a whole number >= 0, got ${r.seed}`);
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
      default: 1,
      slider: () => ({ min: 0, max: 2, step: 0.05 }),
    },
  ],
  defaults: ({ eps, steps }) => ({ steps: 10, stepSize: Math.max(1e-4, Number((eps / steps).toFixed(4))), momentum: 1 }),
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
