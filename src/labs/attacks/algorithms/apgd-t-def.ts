/**
 * The declaration of apgd-t.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in apgd-t.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { invalid, isWhole } from '../../../core/adversarial/validate';
import { APGD_BUDGET } from './apgd-def';
import { resolveBudget } from './budget';
import type { Norm } from '../../../core/adversarial/types';

export interface ApgdTSpec {
  name: 'apgd-t';
  /** Default linf. */
  norm?: Norm;
  eps: number;
  /** Iterations N_iter per run; default 100. */
  steps?: number;
  /** Runs per target class; default 1 (AutoAttack). */
  restarts?: number;
  /** Number of target classes (by clean logit rank, after the top one); default 9, capped at K - 1. */
  targetClasses?: number;
  /** Default true, the AutoAttack initialisation. */
  randomStart?: boolean;
  /** Default 0. */
  seed?: number;
}

export type ResolvedApgdT = Required<ApgdTSpec>;

/** AutoAttack's APGD-T: the 9 most likely other classes as targets, one after another. */
export const APGD_T_TARGET_CLASSES = 9;

/** APGD's paper defaults (apgd-def.ts), and AutoAttack's 9 target classes. */
export function resolveApgdT(s: ApgdTSpec): ResolvedApgdT {
  const r: ResolvedApgdT = {
    name: 'apgd-t',
    ...resolveBudget('apgd-t', s, APGD_BUDGET),
    targetClasses: s.targetClasses ?? APGD_T_TARGET_CLASSES,
  };
  if (!isWhole(r.targetClasses, 1, 1000)) invalid(`targetClasses must be a whole number >= 1, got ${r.targetClasses}`);
  return r;
}

export const apgdT = defineAttack<ApgdTSpec>({
  name: 'apgd-t',
  label: 'APGD-T',
  reference: 'Croce & Hein 2020',
  summary: 'APGD on the targeted DLR loss, once for each of the 9 most likely other classes, on the images still robust',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: false,
  params: ['eps', 'steps', 'restarts', 'targetClasses', 'seed'],
  fields: [
    {
      path: 'attack.targetClasses',
      url: 'ntc',
      cli: 'target-classes',
      type: { kind: 'int', min: 1, max: 999 },
      label: 'target classes',
      short: 'Target classes',
      help: 'how many of the most likely other classes are tried as targets, one after another (AutoAttack: 9)',
      default: APGD_T_TARGET_CLASSES,
      slider: () => ({ min: 1, max: 9, step: 1 }),
    },
  ],
  // resolved specs carry it; the studio and the CLI leave it at its default
  options: ['randomStart'],
  defaults: () => ({ steps: APGD_BUDGET.steps, restarts: APGD_BUDGET.restarts, targetClasses: APGD_T_TARGET_CLASSES }),
  json: (s) => ({ steps: s.steps, step_size: null, random_start: s.randomStart, restarts: s.restarts, target_classes: s.targetClasses }),
  resolve: resolveApgdT,
  expectedSteps: (s) => (s.steps ?? 100) * (s.restarts ?? 1) * (s.targetClasses ?? 9),
});
