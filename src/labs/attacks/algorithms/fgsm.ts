/**
 * FGSM, fast gradient sign method (Goodfellow, Shlens, Szegedy 2015):
 *
 *   x' = clip_[0,1]( x + eps * sign(grad_x CE(logits(x), y)) )
 *
 * Targeted ("one-step target class", Kurakin, Goodfellow, Bengio 2017):
 *   x' = clip_[0,1]( x - eps * sign(grad_x CE(logits(x), t)) ),  t a class or the least-likely class.
 * With randomStart the step starts from x + U(-eps, eps)^d and is projected back onto the eps ball
 * (the FGSM-RS of Wong et al. 2020 uses a step of 1.25 eps; use PGD with steps=1 for that).
 * Trace: iterate 0 (start) and 1 (adversarial), loss = CE (targeted: -CE of the target).
 */
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type FgsmSpec, resolveFgsm } from './fgsm-def';
export { type FgsmSpec, type ResolvedFgsm, resolveFgsm, fgsm } from './fgsm-def';

export async function runFgsm(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: FgsmSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveFgsm(spec);
  const p = await prepare(clf, x, y, s.target);
  const cfg = {
    norm: 'linf' as const,
    eps: s.eps,
    steps: 1,
    stepSize: Math.max(s.eps, 1e-12),
    randomStart: s.randomStart,
    restarts: 1,
    seed: s.seed,
    momentum: null,
  };
  return runIterative(clf, x, p, cfg, hooks);
}
