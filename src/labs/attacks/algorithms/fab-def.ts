/**
 * The declaration of fab.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in fab.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { inRange, invalid, isWhole } from '../../../core/adversarial/validate';

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

export function resolveFab(s: FabSpec): ResolvedFab {
  const norm = s.norm ?? 'linf';
  const r: ResolvedFab = {
    name: 'fab-t',
    norm,
    eps: s.eps,
    steps: s.steps ?? 100,
    restarts: s.restarts ?? 1,
    targetClasses: s.targetClasses ?? 9,
    seed: s.seed ?? 0,
  };
  if (norm !== 'linf' && norm !== 'l2') invalid(`fab-t supports norm linf or l2, not "${String(norm)}"`);
  if ((s as { target?: unknown }).target !== undefined)
    invalid('fab-t chooses its own target classes (targetClasses); target does not apply');
  const maxEps = norm === 'linf' ? 1 : 1000;
  if (!inRange(r.eps, 0, maxEps)) invalid(`eps must be in [0, ${maxEps}], got ${r.eps}`);
  if (!isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if (!isWhole(r.restarts, 1, 1000)) invalid(`restarts must be a whole number >= 1, got ${r.restarts}`);
  if (!isWhole(r.targetClasses, 1, 100000)) invalid(`targetClasses must be a whole number >= 1, got ${r.targetClasses}`);
  if (!isWhole(r.seed, 0)) invalid(`seed must be a whole number >= 0, got ${r.seed}`);
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
  defaults: () => ({ steps: 100, restarts: 1, targetClasses: 9 }),
  json: (s) => ({ steps: s.steps, step_size: null, random_start: false, restarts: s.restarts, target_classes: s.targetClasses }),
  resolve: resolveFab,
  expectedSteps: (s) => (s.steps ?? 100) * (s.restarts ?? 1) * (s.targetClasses ?? 9),
});
