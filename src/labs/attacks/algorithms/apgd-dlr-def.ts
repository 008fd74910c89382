/**
 * The declaration of apgd-dlr.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in apgd-dlr.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { APGD_BUDGET } from './apgd-def';
import { resolveBudget } from './budget';
import type { Norm } from '../../../core/adversarial/types';

export interface ApgdDlrSpec {
  name: 'apgd-dlr';
  /** Default linf. */
  norm?: Norm;
  eps: number;
  /** Iterations N_iter; default 100. */
  steps?: number;
  /** Default 1 (AutoAttack's standard version). */
  restarts?: number;
  /** Default true, the AutoAttack initialisation. */
  randomStart?: boolean;
  /** Default 0. */
  seed?: number;
}

export type ResolvedApgdDlr = Required<ApgdDlrSpec>;

/** APGD's paper defaults (apgd-def.ts: Croce & Hein 2020, AutoAttack's standard version). */
export function resolveApgdDlr(s: ApgdDlrSpec): ResolvedApgdDlr {
  return { name: 'apgd-dlr', ...resolveBudget('apgd-dlr', s, APGD_BUDGET) };
}

export const apgdDlr = defineAttack<ApgdDlrSpec>({
  name: 'apgd-dlr',
  label: 'APGD-DLR',
  reference: 'Croce & Hein 2020',
  summary: 'APGD on the difference-of-logits-ratio loss, which rescaling the logits cannot hide from',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: false,
  params: ['eps', 'steps', 'restarts', 'seed'],
  // resolved specs carry it; the studio and the CLI leave it at its default
  options: ['randomStart'],
  defaults: () => ({ steps: APGD_BUDGET.steps, restarts: APGD_BUDGET.restarts }),
  json: (s) => ({ steps: s.steps, step_size: null, random_start: s.randomStart, restarts: s.restarts, initial_step_size: 2 * s.eps }),
  resolve: resolveApgdDlr,
  expectedSteps: (s) => (s.steps ?? 100) * (s.restarts ?? 1),
});
