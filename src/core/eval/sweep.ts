/**
 * The one epsilon-sweep path: robust accuracy for a list of epsilons (Foolbox 3's definition: robust
 * accuracy = 1 - success.mean per epsilon), used by `rlab eval --epsilons`, the batch check's curve,
 * and the zoo table. Core knows attacks only through `EvalAttack` (a kind and a run); the attacks lab
 * supplies them (its registry's `attackRunner`).
 *
 * Bounded attacks run once per epsilon (with every other option as given; defaults that depend on eps,
 * such as PGD-L2's step size, are recomputed per eps by the attack). Minimisation attacks (C&W,
 * DeepFool) run once: an image is robust at eps iff clean-correct and (the attack failed or the L2 norm
 * of the perturbation it found is > eps). Images misclassified when clean count as not robust.
 */
import * as tf from '@tensorflow/tfjs';
import { readAndDispose } from '../adversarial/common';
import type { AttackHooks, AttackOutcome } from '../adversarial/types';
import type { Classifier } from '../models/classifier';

/** An attack as evaluation sees it. */
export interface EvalAttack {
  /** 'bounded': stays inside an eps ball; 'minimisation': smallest adversarial it can find (eps ignored). */
  kind: 'bounded' | 'minimisation';
  /** Base seed; the evaluation of images from index i on uses seed + i, so a run over N images repeats exactly. */
  seed: number;
  /** Run on a batch at this eps (undefined: the attack's own eps) with this seed. The caller disposes outcome.adversarial. */
  run(clf: Classifier, x: tf.Tensor4D, y: Int32Array, eps: number | undefined, seed: number, hooks: AttackHooks): Promise<AttackOutcome>;
}

export interface SweepResult {
  epsilons: number[];
  /** Fraction of images classified correctly and not fooled, per epsilon. */
  robustAccuracy: number[];
  /** Per epsilon, 1 where the image is still robust (correct when clean and not fooled within eps). */
  robust: Uint8Array[];
  /** 1 where the clean image is classified correctly. */
  cleanCorrect: Uint8Array;
  /** Attack runs (1 for minimisation attacks, one per epsilon otherwise). */
  runs: number;
  /** The outcome at each epsilon (minimisation attacks: the one run, at every epsilon), when keepOutcomes; the caller disposes. */
  outcomes?: AttackOutcome[];
}

/** Robust flags at each epsilon from one outcome (bounded: the run at that eps; minimisation: L2 threshold). */
export function robustAt(kind: EvalAttack['kind'], cleanCorrect: Uint8Array, out: AttackOutcome, eps: number): Uint8Array {
  return Uint8Array.from(cleanCorrect, (c, i) => (c && (!out.fooled[i] || (kind === 'minimisation' && out.norms.l2[i] > eps)) ? 1 : 0));
}

export async function sweepEpsilons(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  attack: EvalAttack,
  epsilons: number[],
  hooks?: AttackHooks,
  options: { seed?: number; keepOutcomes?: boolean; cleanPredictions?: Int32Array } = {},
): Promise<SweepResult> {
  if (epsilons.length === 0) throw new Error('invalid attack options: no epsilons');
  for (const e of epsilons)
    if (!(typeof e === 'number' && e >= 0 && Number.isFinite(e))) throw new Error(`invalid attack options: epsilon ${e}`);
  const n = x.shape[0];
  const labels = Int32Array.from(y);
  const pred = options.cleanPredictions ?? (await readAndDispose(tf.tidy(() => tf.argMax(clf.logits(x), 1))));
  const cleanCorrect = Uint8Array.from(labels, (l, i) => (pred[i] === l ? 1 : 0));
  const robust: Uint8Array[] = [];
  const h: AttackHooks = { keepTrace: false, ...hooks };
  const seed = options.seed ?? attack.seed;
  const outcomes: AttackOutcome[] = [];
  let runs = 0;
  try {
    if (attack.kind === 'minimisation') {
      const out = await attack.run(clf, x, labels, undefined, seed, h);
      runs = 1;
      if (options.keepOutcomes) for (let k = 0; k < epsilons.length; k++) outcomes.push(out);
      else out.adversarial.dispose();
      for (const e of epsilons) robust.push(robustAt('minimisation', cleanCorrect, out, e));
    } else {
      for (const e of epsilons) {
        const out = await attack.run(clf, x, labels, e, seed, h);
        runs++;
        if (options.keepOutcomes) outcomes.push(out);
        else out.adversarial.dispose();
        robust.push(robustAt('bounded', cleanCorrect, out, e));
      }
    }
  } catch (err) {
    for (const o of new Set(outcomes)) o.adversarial.dispose();
    throw err;
  }
  return {
    epsilons: [...epsilons],
    robustAccuracy: robust.map((r) => r.reduce((s, v) => s + v, 0) / n),
    robust,
    cleanCorrect,
    runs,
    ...(options.keepOutcomes ? { outcomes } : {}),
  };
}
