/**
 * BIM / I-FGSM, the basic iterative method (Kurakin, Goodfellow, Bengio 2017, "Adversarial examples
 * in the physical world"): no random start, clip after every step.
 *
 *   x_0 = x,   x_{N+1} = Clip_{x,eps}( x_N + alpha * sign(grad_x CE(logits(x_N), y)) )
 *
 * Clip_{x,eps} clips to the eps L-inf ball around x and to [0, 1]. The paper's defaults, kept here:
 * alpha = 1/255 and N = min(255 eps + 4, 1.25 * 255 eps) rounded down, at least 1 (bimDefaultSteps).
 * Kurakin et al. write "min(eps + 4, 1.25 eps)" with eps on the 0..255 scale and do not say how a
 * fractional count is rounded; rounded down is what torchattacks' BIM does (steps=0:
 * int(min(eps * 255 + 4, 1.25 * eps * 255)), and Python's int() truncates), so eps = 2/255 gives 2
 * iterations and 0.3 (76.5/255) gives 80. A 1e-9 slack absorbs floating-point error in 255 * eps.
 * Targeted: the paper's iterative least-likely class method (ILLC),
 *   x_{N+1} = Clip_{x,eps}( x_N - alpha * sign(grad_x CE(logits(x_N), y_LL)) ),
 * with y_LL the least-likely class on the clean image, or any class given by the user.
 * Trace: iterates 0..N, loss = CE (targeted: -CE of the target).
 */
import { defineAttack } from './definition';
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { inRange, invalid, isWhole, prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome, SpecBase } from '../../../core/adversarial/types';

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

export async function runBim(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: BimSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveBim(spec);
  const p = await prepare(clf, x, y, s.target);
  return runIterative(
    clf,
    x,
    p,
    { norm: 'linf', eps: s.eps, steps: s.steps, stepSize: s.stepSize, randomStart: false, restarts: 1, seed: s.seed, momentum: null },
    hooks,
  );
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
  run: runBim,
  expectedSteps: (s) => s.steps ?? 1,
  steppable: true,
});
