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
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type BimSpec, resolveBim } from './bim-def';
export { type BimSpec, type ResolvedBim, bimDefaultSteps, kurakinSteps, resolveBim, bim } from './bim-def';

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
