/**
 * MI-FGSM, momentum iterative FGSM (Dong et al. 2018, "Boosting adversarial attacks with momentum"):
 *
 *   g_0 = 0,  g_{t+1} = mu * g_t + grad_x J(x_t) / ||grad_x J(x_t)||_1
 *   L-inf:    x_{t+1} = Clip_{x,eps}( x_t + alpha * sign(g_{t+1}) )
 *   L2:       x_{t+1} = Clip_{x,eps}( x_t + alpha * g_{t+1} / ||g_{t+1}||_2 )      (the paper's L2 variant)
 *
 * J = CE(logits, y); targeted (defined in the paper): J = -CE(logits, t), i.e. x_t - alpha * sign(g).
 * Defaults as in the paper: T = 10 steps, alpha = eps / T, mu = 1.0; x_0 = x (no random start).
 * The step size alpha = eps / T (the paper's Algorithm 1) is the default for any T, also when only
 * `steps` is given, so that T steps of alpha can just reach the edge of the eps ball (torchattacks'
 * MIFGSM instead defaults to alpha = 2/255 whatever eps and T are).
 * mifgsmDefaultStepSize() is that rule, exported for the UI.
 * The L1 norm is over all components of the image (torchattacks divides by the mean absolute value,
 * which scales every g_t by the same d and leaves sign(g) unchanged).
 * Trace: iterates 0..T, loss = J.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome } from '../../../core/adversarial/types';
import { type MifgsmSpec, resolveMifgsm } from './mifgsm-def';
export { type MifgsmSpec, mifgsmDefaultStepSize, type ResolvedMifgsm, resolveMifgsm, mifgsm } from './mifgsm-def';

export async function runMifgsm(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: MifgsmSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveMifgsm(spec);
  const p = await prepare(clf, x, y, s.target);
  return runIterative(
    clf,
    x,
    p,
    { norm: s.norm, eps: s.eps, steps: s.steps, stepSize: s.stepSize, randomStart: false, restarts: 1, seed: s.seed, momentum: s.momentum },
    hooks,
  );
}
