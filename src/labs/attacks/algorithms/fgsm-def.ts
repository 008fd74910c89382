/**
 * The declaration of fgsm.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in fgsm.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { resolveBudget, type PaperBudget } from './budget';
import type { SpecBase } from '../../../core/adversarial/types';

export interface FgsmSpec extends SpecBase {
  name: 'fgsm';
  norm?: 'linf';
  eps: number;
  randomStart?: boolean;
}

export type ResolvedFgsm = Required<Omit<FgsmSpec, 'target'>> & Pick<FgsmSpec, 'target'>;

/** Goodfellow et al. 2015: one L-inf step of eps from the clean image. */
export const FGSM_BUDGET = { norms: ['linf'], randomStart: false } as const satisfies PaperBudget;

export function resolveFgsm(s: FgsmSpec): ResolvedFgsm {
  return { name: 'fgsm', ...resolveBudget('fgsm', s, FGSM_BUDGET), target: s.target };
}

export const fgsm = defineAttack<FgsmSpec>({
  name: 'fgsm',
  label: 'FGSM',
  reference: 'Goodfellow, Shlens, Szegedy 2015; targeted: Kurakin et al. 2017',
  summary: 'one step of eps along the sign of the loss gradient',
  norms: ['linf'],
  kind: 'bounded',
  blackBox: false,
  targeted: true,
  params: ['eps', 'randomStart', 'seed'],
  defaults: () => ({}),
  // chosen in the studio after PGD, FGSM starts as the paper's: no random start (R+FGSM is a tick away)
  studioDefaults: { randomStart: false },
  cli: { absent: { randomStart: false } },
  json: (s) => ({ steps: 1, step_size: s.eps, random_start: s.randomStart, restarts: 1 }),
  jsonStats: false,
  zooNote: 'FGSM: one step of eps, no random start.',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({ label: 'FGSM', norm: 'linf', eps, budget: '1 step', spec: { name: 'fgsm', eps, randomStart: false, seed } })),
  resolve: resolveFgsm,
  expectedSteps: () => 1,
});
