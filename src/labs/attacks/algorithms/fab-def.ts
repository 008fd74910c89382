/**
 * The declaration of fab.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in fab.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { invalid, isWhole } from '../../../core/adversarial/validate';
import { resolveBudget, type PaperBudget } from './budget';

export interface FabSpec {
  name: 'fab-t';
  /** Default linf. */
  norm?: 'linf' | 'l2';
  /** Acceptance threshold: an adversarial counts (and is returned) only when its norm is <= eps. */
  eps: number;
  /** Iterations per run; default 100. */
  steps?: number;
  /** Runs per target class; default 1 (later restarts start at a random point at distance eps/2). */
  restarts?: number;
  /** Number of target classes (by clean logit rank, after the top one); default 9, capped at K - 1. */
  targetClasses?: number;
  /** Default 0. */
  seed?: number;
}

export type ResolvedFab = Required<FabSpec>;

/** Croce & Hein 2020 (FAB-T as AutoAttack's standard version runs it): 100 iterations, one run per target, 9 target classes. */
export const FAB_BUDGET = { norms: ['linf', 'l2'], steps: 100, restarts: 1 } as const satisfies PaperBudget;
export const FAB_TARGET_CLASSES = 9;

export function resolveFab(s: FabSpec): ResolvedFab {
  if ((s as { target?: unknown }).target !== undefined)
    invalid('fab-t chooses its own target classes (targetClasses); target does not apply');
  const r: ResolvedFab = { name: 'fab-t', ...resolveBudget('fab-t', s, FAB_BUDGET), targetClasses: s.targetClasses ?? FAB_TARGET_CLASSES };
  if (!isWhole(r.targetClasses, 1, 100000)) invalid(`targetClasses must be a whole number >= 1, got ${r.targetClasses}`);
  return r;
}

export const fabT = defineAttack<FabSpec>({
  name: 'fab-t',
  label: 'FAB-T',
  reference: 'Croce & Hein 2020 (FAB: fast adaptive boundary)',
  summary: 'steps to the linearised boundary with each of the 9 most likely other classes, biased back towards the image; kept within eps',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: false,
  params: ['eps', 'steps', 'restarts', 'targetClasses', 'seed'],
  defaults: () => ({ steps: FAB_BUDGET.steps, restarts: FAB_BUDGET.restarts, targetClasses: FAB_TARGET_CLASSES }),
  json: (s) => ({ steps: s.steps, step_size: null, random_start: false, restarts: s.restarts, target_classes: s.targetClasses }),
  resolve: resolveFab,
  expectedSteps: (s) => (s.steps ?? 100) * (s.restarts ?? 1) * (s.targetClasses ?? 9),
});
