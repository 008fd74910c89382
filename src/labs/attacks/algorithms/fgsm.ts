/**
 * FGSM, fast gradient sign method (Goodfellow, Shlens, Szegedy 2015):
 *
 *   x' = clip_[0,1]( x + eps * sign(grad_x CE(logits(x), y)) )
 *
 * Targeted ("one-step target class", Kurakin, Goodfellow, Bengio 2017):
 *   x' = clip_[0,1]( x - eps * sign(grad_x CE(logits(x), t)) ),  t a class or the least-likely class.
 * With randomStart the step starts from x + U(-eps, eps)^d and is projected back onto the eps ball
 * (the FGSM-RS of Wong et al. 2020 uses a step of 1.25 eps; use PGD with steps=1 for that).
 * Trace: iterate 0 (start) and 1 (adversarial), loss = CE (targeted: -CE of the target).
 */
import { defineAttack } from './definition';
import type * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { checkBudget, prepare } from '../../../core/adversarial/common';
import { runIterative } from './iterative';
import type { AttackHooks, AttackOutcome, SpecBase } from '../../../core/adversarial/types';

export interface FgsmSpec extends SpecBase {
  name: 'fgsm';
  norm?: 'linf';
  eps: number;
  randomStart?: boolean;
}

export type ResolvedFgsm = Required<Omit<FgsmSpec, 'target'>> & Pick<FgsmSpec, 'target'>;

export function resolveFgsm(s: FgsmSpec): ResolvedFgsm {
  const r: ResolvedFgsm = {
    name: 'fgsm',
    norm: s.norm ?? 'linf',
    eps: s.eps,
    randomStart: s.randomStart ?? false,
    seed: s.seed ?? 0,
    target: s.target,
  };
  checkBudget('fgsm', r, ['linf']);
  return r;
}

export async function runFgsm(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: FgsmSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const s = resolveFgsm(spec);
  const p = await prepare(clf, x, y, s.target);
  const cfg = {
    norm: 'linf' as const,
    eps: s.eps,
    steps: 1,
    stepSize: Math.max(s.eps, 1e-12),
    randomStart: s.randomStart,
    restarts: 1,
    seed: s.seed,
    momentum: null,
  };
  return runIterative(clf, x, p, cfg, hooks);
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
  cli: { absent: { randomStart: false } },
  json: (s) => ({ steps: 1, step_size: s.eps, random_start: s.randomStart, restarts: 1 }),
  jsonStats: false,
  zooNote: 'FGSM: one step of eps, no random start.',
  zooRows: ({ linf, seed }) =>
    linf.map((eps) => ({ label: 'FGSM', norm: 'linf', eps, budget: '1 step', spec: { name: 'fgsm', eps, randomStart: false, seed } })),
  resolve: resolveFgsm,
  run: runFgsm,
  expectedSteps: () => 1,
});
