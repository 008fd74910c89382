/**
 * The part of an attack's `resolve` that the eps-bounded attacks share: the budget options (norm, eps,
 * steps, step size, restarts, random start, seed) with the attack's paper defaults filled in, then
 * checked, with one-line `invalid attack options: ...` errors (core/adversarial/validate.ts).
 *
 * Convention: each attack keeps its paper's defaults beside its algorithm, in its `<attack>-def.ts`, as a
 * `PaperBudget` (the norms it supports, the default first, and a default for each budget option it
 * takes, and only those: a value, or a rule of the budget such as MI-FGSM's eps / steps); its resolver
 * is `{ name, ...resolveBudget(name, spec, PAPER), own options, target }` plus the checks of its own
 * options. A step size whose default follows the budget may be 0 at eps 0 (a sweep's first point: PGD-L2's
 * 2.5 eps / steps, MI-FGSM's eps / steps); a fixed one (BIM's 1/255) may not.
 *
 * Free of TensorFlow.js: the declarations that call it are read by the page's main thread.
 */
import { checkBudget, invalid } from '../../../core/adversarial/validate';
import type { Norm } from '../../../core/adversarial/types';

/** The budget options as a spec gives them (absent = the paper's default). */
export interface BudgetSpec {
  norm?: Norm;
  eps: number;
  steps?: number;
  stepSize?: number;
  restarts?: number;
  randomStart?: boolean;
  seed?: number;
}

/** What the default number of steps may depend on. */
export interface StepsContext {
  norm: Norm;
  eps: number;
}

/** What the default step size may depend on: the norm, eps and the number of steps (given or defaulted). */
export interface StepSizeContext extends StepsContext {
  steps: number;
}

/** An attack's paper defaults of the budget options it takes; an option without a default here is not one of its options. */
export interface PaperBudget {
  /** The norms it supports, its default first. */
  readonly norms: readonly Norm[];
  readonly steps?: number | ((b: StepsContext) => number);
  readonly stepSize?: number | ((b: StepSizeContext) => number);
  readonly restarts?: number;
  readonly randomStart?: boolean;
}

interface BudgetOptions {
  steps: number;
  stepSize: number;
  restarts: number;
  randomStart: boolean;
}

/** The resolved budget of an attack with paper defaults P: norm, eps, seed and the options P has defaults for. */
export type ResolvedBudget<P extends PaperBudget> = { norm: P['norms'][number]; eps: number; seed: number } & {
  [K in keyof P & keyof BudgetOptions]-?: BudgetOptions[K];
};

/**
 * The spec's budget with the paper's defaults filled in, checked: the norm among those the attack
 * supports, eps in [0, 1] (L-inf) or [0, 1000] (L2), steps and restarts whole numbers >= 1, random start
 * a boolean, seed a whole number >= 0, the step size in (0, largest eps]. Throws one-line errors.
 */
export function resolveBudget<P extends PaperBudget>(attack: string, s: BudgetSpec, paper: P): ResolvedBudget<P> {
  const norm = s.norm ?? paper.norms[0]!;
  const eps = s.eps;
  const r: Record<string, unknown> & { norm: Norm; eps: number } = { norm, eps };
  let steps: number | undefined;
  if (paper.steps !== undefined) {
    steps = s.steps ?? (typeof paper.steps === 'function' ? paper.steps({ norm, eps }) : paper.steps);
    r.steps = steps;
  }
  if (paper.stepSize !== undefined) {
    const rule = paper.stepSize;
    r.stepSize = s.stepSize ?? (typeof rule === 'function' ? rule({ norm, eps, steps: steps ?? 1 }) : rule);
  }
  if (paper.restarts !== undefined) r.restarts = s.restarts ?? paper.restarts;
  if (paper.randomStart !== undefined) r.randomStart = s.randomStart ?? paper.randomStart;
  const resolved = { ...r, seed: s.seed ?? 0 };
  const maxEps = checkBudget(attack, resolved, paper.norms);
  if (paper.stepSize !== undefined) {
    const stepSize = r.stepSize as number;
    const followsBudget = typeof paper.stepSize === 'function';
    if (!(stepSize > 0 && stepSize <= maxEps) && !(followsBudget && eps === 0 && stepSize === 0))
      invalid(`step size must be in (0, ${maxEps}], got ${stepSize}`);
  }
  return resolved as ResolvedBudget<P>;
}
