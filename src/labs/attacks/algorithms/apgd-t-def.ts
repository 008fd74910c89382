/**
 * The declaration of apgd-t.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in apgd-t.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { checkBudget, invalid, isWhole } from '../../../core/adversarial/validate';
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

export function resolveApgdT(s: ApgdTSpec): ResolvedApgdT {
  const norm = s.norm ?? 'linf';
  const r: ResolvedApgdT = {
    name: 'apgd-t',
    norm,
    eps: s.eps,
    steps: s.steps ?? 100,
    restarts: s.restarts ?? 1,
    targetClasses: s.targetClasses ?? 9,
    randomStart: s.randomStart ?? true,
    seed: s.seed ?? 0,
  };
  checkBudget('apgd-t', { ...r, norm });
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
      default: 9,
      slider: () => ({ min: 1, max: 9, step: 1 }),
    },
  ],
  // resolved specs carry it; the studio and the CLI leave it at its default
  options: ['randomStart'],
  defaults: () => ({ steps: 100, restarts: 1, targetClasses: 9 }),
  json: (s) => ({ steps: s.steps, step_size: null, random_start: s.randomStart, restarts: s.restarts, target_classes: s.targetClasses }),
  resolve: resolveApgdT,
  expectedSteps: (s) => (s.steps ?? 100) * (s.restarts ?? 1) * (s.targetClasses ?? 9),
});
