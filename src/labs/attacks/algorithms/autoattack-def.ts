/**
 * The declaration of autoattack.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in autoattack.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { invalid } from '../../../core/adversarial/validate';
import { resolveBudget } from './budget';
import type { AttackOutcome, Norm } from '../../../core/adversarial/types';

export interface AutoAttackSpec {
  name: 'autoattack';
  /** Default linf. */
  norm?: Norm;
  eps: number;
  /** Only 'standard' for now (the default). */
  version?: 'standard';
  /** Seed given to every stage; default 0. */
  seed?: number;
}

export type ResolvedAutoAttack = Required<AutoAttackSpec>;

/** Each stage's budget is its own attack's (APGD, FAB, Square); AutoAttack itself takes the norm, eps and seed. */
export function resolveAutoAttack(s: AutoAttackSpec): ResolvedAutoAttack {
  const r: ResolvedAutoAttack = {
    name: 'autoattack',
    ...resolveBudget('autoattack', s, { norms: ['linf', 'l2'] }),
    version: s.version ?? 'standard',
  };
  if (r.version !== 'standard') invalid(`autoattack version must be "standard", not "${String(r.version)}"`);
  return r;
}

/** One line of the breakdown, after a stage. */
export interface AutoAttackStageReport {
  stage: string;
  /** Images the stage attacked: those still robust before it. */
  attacked: number;
  /** Of those, the ones the stage's adversarial misclassifies. */
  fooled: number;
  /** Images still robust after the stage (attacked - fooled); robust accuracy after it = robustAfter / n. */
  robustAfter: number;
  /** Wall-clock time of the stage. */
  seconds: number;
}

export interface AutoAttackOutcome extends AttackOutcome {
  /** Per-stage breakdown, in order; a stage that found no robust image left is absent. */
  stages?: AutoAttackStageReport[];
}

export const autoattack = defineAttack<AutoAttackSpec>({
  name: 'autoattack',
  label: 'AutoAttack',
  reference: 'Croce & Hein 2020 (standard version, as RobustBench runs it)',
  summary: 'APGD-CE, APGD-T, FAB-T and Square (5000 queries) in turn, each on the images the ones before left robust',
  norms: ['linf', 'l2'],
  kind: 'bounded',
  blackBox: false,
  targeted: false,
  params: ['eps', 'seed'],
  // resolved specs carry it; the studio and the CLI leave it at its default
  options: ['version'],
  defaults: () => ({}),
  json: () => ({ steps: null, step_size: null, random_start: true, restarts: 1, version: 'standard' }),
  zooNote:
    'AutoAttack: the standard version (APGD-CE, APGD-T with 9 targets, FAB-T with 9 targets, Square with 5000 queries, each on the images still robust).',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({
      label: 'AutoAttack',
      norm: 'linf',
      eps,
      budget: 'standard: APGD-CE, APGD-T, FAB-T, Square-5000',
      spec: { name: 'autoattack', norm: 'linf', eps, seed },
    })),
  resolve: resolveAutoAttack,
  // APGD-CE 100, APGD-T 9 x 100, FAB-T 9 x 100, Square 5000 on an image that survives every stage
  expectedSteps: () => 100 + 900 + 900 + 5000,
});
