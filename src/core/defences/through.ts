/**
 * How an attack runner honours a defended classifier (src/core/defences/defend.ts): refuse EOT for
 * attacks that take their own gradients, and, when the defence has no gradient path under the naive
 * mode (JPEG: `defence.attackOn`), attack the undefended model and pass the result through the defence.
 */
import * as tf from '@tensorflow/tfjs';
import { argmaxRows, readFloats } from '../adversarial/common';
import type { AttackOutcome } from '../adversarial/types';
import type { Classifier } from '../models/classifier';

export interface AttackGradientInfo {
  label: string;
  /** The attack differentiates the classifier itself instead of through gradWithLogits / inputGradient (C&W, DeepFool). */
  ownGradients?: boolean;
}

/** One line for an attack that cannot average gradients over draws (null: it can, or no EOT). */
export function eotRefusal(clf: Classifier, attack: AttackGradientInfo): string | null {
  if (clf.defence?.adaptive !== 'eot' || !attack.ownGradients) return null;
  return `${attack.label} takes its own gradients, so EOT (gradients averaged over draws) is not supported for it; use adaptive bpda, or an attack of the PGD / APGD / FAB family`;
}

/**
 * Runs `run` against the classifier attacks should differentiate: clf itself, or the undefended model
 * when the defence says so; in that case the outcome's predictions, fooled and success are those of the
 * defended classifier on the adversarial images (one more query each).
 */
export async function attackThroughDefence(
  clf: Classifier,
  y: Int32Array | number[],
  attack: AttackGradientInfo,
  run: (target: Classifier) => Promise<AttackOutcome>,
): Promise<AttackOutcome> {
  const refusal = eotRefusal(clf, attack);
  if (refusal) throw new Error(`invalid attack options: ${refusal}`);
  const on = clf.defence?.attackOn;
  if (!on) return run(clf);
  const out = await run(on);
  try {
    const n = y.length;
    const z = await readFloats(tf.tidy(() => clf.logits(out.adversarial)));
    const predictions = argmaxRows(z, n, clf.numClasses);
    const fooled = new Uint8Array(n);
    const success = new Uint8Array(n);
    const queries = Int32Array.from(out.queries, (q) => q + 1);
    for (let i = 0; i < n; i++) {
      fooled[i] = predictions[i] !== y[i] ? 1 : 0;
      success[i] = out.targets ? (predictions[i] === out.targets[i] && predictions[i] !== y[i] ? 1 : 0) : fooled[i];
    }
    return { ...out, predictions, fooled, success, queries };
  } catch (e) {
    out.adversarial.dispose();
    throw e;
  }
}
