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
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type PgdSpec, resolvePgd } from './pgd-def';
export { type PgdSpec, type ResolvedPgd, resolvePgd, pgd } from './pgd-def';

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
