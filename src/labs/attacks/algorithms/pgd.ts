/**
 * Projected gradient descent (Madry et al. 2018), L-inf and L2, and FGSM (Goodfellow et al. 2015)
 * as its one-step case.
 *
 * L-inf:  x_0     = x                      or, with a random start, x + U(-eps, eps)^d clipped to [0, 1]
 *         x_{t+1} = clip_[0,1]( proj_{B_inf(x, eps)}( x_t + stepSize * sign(grad_x CE(logits(x_t), y)) ) )
 * L2:     x_0     = x                      or, with a random start, uniform in the L2 ball (ART's
 *                                          convention: Gaussian direction, radius eps * u^(1/d))
 *         x_{t+1} = clip_[0,1]( proj_{B_2(x, eps)}( x_t + stepSize * g / ||g||_2 ) ),  g = grad_x CE
 *         (as torchattacks PGDL2 and ART: step along the L2-normalised gradient, then scale the
 *         perturbation by min(1, eps / ||delta||_2)).
 * Targeted (ART / torchattacks convention; Madry et al. define only the untargeted attack):
 *         descend CE(logits, target) instead; success = classified as the target.
 *
 * With restarts, the image is counted as broken if any restart's final iterate reaches the goal, and
 * that iterate is returned; otherwise the last restart's iterate is returned.
 * Defaults: 40 steps, step 0.01 (L-inf) or 2.5 * eps / steps (L2, Madry
 * et al.'s rule), random start, 1 restart, seed 0.
 */
import { defineAttack, type ZooRow } from './definition';
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { checkBudget, invalid, prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome, Norm, SpecBase } from '../../../core/adversarial/types';

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

export function resolvePgd(s: PgdSpec): ResolvedPgd {
  const norm = s.norm ?? 'linf';
  const steps = s.steps ?? 40;
  const r: ResolvedPgd = {
    name: 'pgd',
    norm,
    eps: s.eps,
    steps,
    stepSize: s.stepSize ?? (norm === 'linf' ? 0.01 : (2.5 * s.eps) / steps),
    randomStart: s.randomStart ?? true,
    restarts: s.restarts ?? 1,
    seed: s.seed ?? 0,
    target: s.target,
  };
  const maxEps = checkBudget('pgd', { ...r, norm });
  if (!(r.stepSize > 0 && r.stepSize <= maxEps) && !(r.eps === 0 && r.stepSize === 0))
    invalid(`step size must be in (0, ${maxEps}], got ${r.stepSize}`);
  return r;
}

export async function runPgd(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: PgdSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolvePgd(spec);
  const p = await prepare(clf, x, y, s.target);
  return runIterative(clf, x, p, { ...s, momentum: null }, hooks);
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
  run: runPgd,
  expectedSteps: (s) => (s.steps ?? 1) * (s.restarts ?? 1),
  steppable: true,
});
