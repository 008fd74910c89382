/**
 * The studio's "next move" after an attack fooled the model, derived from the model catalogue (the
 * zoo's cards and the user's stored models): when another model of the data set records more
 * robustness against this budget, pick it and run the same attack; otherwise look for the smallest
 * budget that still fools this image, or measure the whole test set with the batch check.
 * Convention: tf-free and React-free (the page's main thread and the CLI both read it); every figure
 * it returns comes from a card, none is written here.
 */
import type { Norm } from '../../core/adversarial/types';
import type { ModelCard } from '../../core/models/card';

/** A card's recorded robust accuracy that speaks for a budget. */
export interface RecordedRobustness {
  attack: string;
  eps: number;
  accuracy: number;
  n: number;
}

/**
 * What a card records against an attack budget: among its entries in that norm, those at the smallest
 * eps not below the budget (robust accuracy only falls as the budget grows, so that figure is a lower
 * bound at the budget), and of them the lowest accuracy (the strongest attack recorded). Null when the
 * card records nothing that large.
 */
export function recordedRobustness(card: ModelCard, budget: { norm: Norm; eps: number }): RecordedRobustness | null {
  // a budget written as a fraction (8/255) and the card's decimal of it are the same budget
  const tolerance = 1e-9;
  let best: RecordedRobustness | null = null;
  for (const r of card.robustAccuracy) {
    if (r.norm !== budget.norm || r.eps < budget.eps - tolerance) continue;
    const closer = !best || r.eps < best.eps - tolerance;
    const same = best && Math.abs(r.eps - best.eps) <= tolerance;
    if (closer || (same && r.accuracy < best!.accuracy)) best = { attack: r.attack, eps: r.eps, accuracy: r.accuracy, n: r.n };
  }
  return best;
}

export type NextMove =
  | {
      kind: 'robust-model';
      /** The model to try next. */
      model: ModelCard;
      /** What its card records against this budget. */
      recorded: RecordedRobustness;
      /** What the attacked model's card records at the same budget (null: nothing recorded). */
      current: RecordedRobustness | null;
    }
  | { kind: 'smaller-budget' };

/**
 * The model of the data set (other than the attacked one) whose card records the highest robust
 * accuracy against the budget, when that is more than the attacked model's own record; else null.
 */
export function robustAlternative(
  models: readonly ModelCard[],
  attacked: string,
  dataset: string,
  budget: { norm: Norm; eps: number },
): Extract<NextMove, { kind: 'robust-model' }> | null {
  const own = models.find((m) => m.id === attacked && m.dataset === dataset);
  const current = own ? recordedRobustness(own, budget) : null;
  let best: Extract<NextMove, { kind: 'robust-model' }> | null = null;
  for (const m of models) {
    if (m.dataset !== dataset || m.id === attacked) continue;
    const recorded = recordedRobustness(m, budget);
    if (!recorded || (current && recorded.accuracy <= current.accuracy)) continue;
    if (!best || recorded.accuracy > best.recorded.accuracy) best = { kind: 'robust-model', model: m, recorded, current };
  }
  return best;
}

/** The next move after a bounded attack fooled `attacked` at `budget`. */
export function nextMoveAfterFooling(
  models: readonly ModelCard[],
  attacked: string,
  dataset: string,
  budget: { norm: Norm; eps: number },
): NextMove {
  return robustAlternative(models, attacked, dataset, budget) ?? { kind: 'smaller-budget' };
}
