/**
 * The attacks lab's registry: the one list of attacks. Each entry is the `AttackDefinition` its
 * algorithm file exports (definition.ts says what one declares); everything else in the lab (the
 * studio, the URL and CLI fields, `rlab help`, the worker's progress, the batch check, `rlab eval`, the
 * zoo table) reads this list. To add an attack: write its file (and its test) and add it here.
 *
 * All attacks: pixels in [0, 1], gradients (white-box attacks) of losses on the classifier's logits,
 * batched, any TensorFlow.js backend, deterministic for a seed, cancellable between steps.
 */
import type * as tf from '@tensorflow/tfjs';
import type { EvalAttack, SweepResult } from '../../../core/eval/sweep';
import type { AttackHooks, AttackOutcome, Norm } from '../../../core/adversarial/types';
import type { Classifier } from '../../../core/models/classifier';
import { withRun, type AnyAttack, type AttackSpec } from './definition';
import { apgdCe } from './apgd-def';
import { apgdDlr } from './apgd-dlr-def';
import { apgdT } from './apgd-t-def';
import { autoattack } from './autoattack-def';
import { fabT } from './fab-def';
import { bim } from './bim-def';
import { cw } from './cw-def';
import { deepfool } from './deepfool-def';
import { fgsm } from './fgsm-def';
import { mifgsm } from './mifgsm-def';
import { pgd } from './pgd-def';
import { square } from './square-def';

export * from '../../../core/adversarial/types';
export type { AttackDefinition, AttackSpec, DefaultsContext, ParamField, ZooContext, ZooRow } from './definition';
export type { SweepResult } from '../../../core/eval/sweep';

/**
 * Every attack, in the order the studio lists them. The declarations are read at once; each run (and
 * TensorFlow.js with it) is imported the first time the attack runs, which only the worker and the
 * CLI do: the page's main thread never loads them.
 */
export const ATTACK_LIST: readonly AnyAttack[] = [
  withRun(fgsm, () => import('./fgsm').then((m) => m.runFgsm)),
  withRun(bim, () => import('./bim').then((m) => m.runBim)),
  withRun(pgd, () => import('./pgd').then((m) => m.runPgd)),
  withRun(mifgsm, () => import('./mifgsm').then((m) => m.runMifgsm)),
  withRun(apgdCe, () => import('./apgd').then((m) => m.runApgd)),
  withRun(apgdDlr, () => import('./apgd-dlr').then((m) => m.runApgdDlr)),
  withRun(apgdT, () => import('./apgd-t').then((m) => m.runApgdT)),
  withRun(fabT, () => import('./fab').then((m) => m.runFab)),
  withRun(autoattack, () => import('./autoattack').then((m) => m.runAutoAttack)),
  withRun(cw, () => import('./cw').then((m) => m.runCw)),
  withRun(deepfool, () => import('./deepfool').then((m) => m.runDeepFool)),
  withRun(square, () => import('./square').then((m) => m.runSquare)),
];

export type AttackName = string;
export type AttackInfo = AnyAttack;

export const ATTACKS: Readonly<Record<string, AnyAttack>> = Object.fromEntries(ATTACK_LIST.map((a) => [a.name, a]));
export const ATTACK_NAMES: readonly string[] = ATTACK_LIST.map((a) => a.name);

export function isAttackName(s: string): boolean {
  return Object.prototype.hasOwnProperty.call(ATTACKS, s);
}

/** The definition of an attack; throws `invalid attack options: unknown attack` otherwise. */
export function getAttack(name: string): AnyAttack {
  if (!isAttackName(name)) throw new Error(`invalid attack options: unknown attack "${String(name).slice(0, 40)}"`);
  return ATTACKS[name];
}

/** The norm an attack really measures its budget in: the chosen norm if the attack has it, else its own (C&W, DeepFool: L2). */
export function effectiveNorm(a: { name: string; norm: Norm }): Norm {
  if (!isAttackName(a.name)) return a.norm;
  const norms = ATTACKS[a.name].norms;
  return norms.includes(a.norm) ? a.norm : norms[0];
}

/** The spec with every default filled in (throws one-line errors on invalid options). */
export function resolveSpec(spec: AttackSpec): AttackSpec {
  const def = getAttack((spec as { name: string }).name);
  for (const key of Object.keys(spec)) {
    if (key === 'name' || key === 'norm' || key === 'seed' || (spec as unknown as Record<string, unknown>)[key] === undefined) continue;
    if (key === 'target' ? !def.targeted : !def.params.includes(key) && !(def.options ?? []).includes(key))
      throw new Error(`invalid attack options: ${key} does not apply to ${def.name}`);
  }
  return def.resolve(spec);
}

/** Run any attack on a batch. y: true labels. The caller disposes outcome.adversarial. */
export async function runAttack(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: AttackSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  const def = getAttack(spec.name);
  resolveSpec(spec);
  // a defended classifier (src/core/defences): EOT refused for attacks with their own gradients; a
  // defence without gradient path under 'none' (JPEG) is attacked through the undefended model
  const { attackThroughDefence } = await import('../../../core/defences/through');
  return attackThroughDefence(clf, y, def, (target) => def.run(target, x, y, spec, hooks));
}

/** Roughly how many trace records a run on one image produces (progress bars). */
export function expectedSteps(spec: AttackSpec): number {
  return Math.max(1, getAttack(spec.name).expectedSteps(resolveSpec(spec)));
}

/**
 * Robust accuracy for a list of epsilons (Foolbox 3: robust accuracy = 1 - success.mean per eps),
 * through the one sweep path of core/eval/sweep.ts: bounded attacks run once per epsilon with the
 * spec's other options (defaults that depend on eps, such as PGD-L2's step size, recomputed per eps);
 * minimisation attacks (C&W, DeepFool) run once and an image is robust at eps iff clean-correct and
 * (the attack failed or its perturbation's L2 norm is > eps).
 */
export async function sweepEpsilons(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: AttackSpec,
  epsilons: number[],
  hooks?: AttackHooks,
): Promise<SweepResult> {
  const { sweepEpsilons: coreSweep } = await import('../../../core/eval/sweep');
  return coreSweep(clf, x, y, attackRunner(spec), epsilons, hooks);
}

/** An attack as core/eval sees it: its kind and a run at a given eps (ignored by minimisation attacks) and seed. */
export function attackRunner(spec: AttackSpec): EvalAttack {
  const def = getAttack(spec.name);
  resolveSpec(spec);
  return {
    kind: def.kind,
    seed: spec.seed ?? 0,
    run: async (clf, x, y, eps, seed, hooks) => {
      const { attackThroughDefence } = await import('../../../core/defences/through');
      return attackThroughDefence(clf, y, def, (target) =>
        def.run(
          target,
          x,
          y,
          { ...spec, ...(def.kind === 'bounded' && eps !== undefined ? { eps } : {}), ...(seed !== undefined ? { seed } : {}) },
          hooks,
        ),
      );
    },
  };
}

/**
 * The spec that attack settings describe (null for 'none'): only the options the chosen attack reads
 * are carried over; targeted + target -1 means the least-likely class.
 */
export function specFromSettings(a: {
  name: string;
  norm: Norm;
  targeted: boolean;
  target: number;
  [k: string]: unknown;
}): AttackSpec | null {
  if (a.name === 'none') return null;
  const def = getAttack(a.name);
  const spec: Record<string, unknown> = { name: def.name };
  if (def.norms.length > 1) spec.norm = effectiveNorm(a);
  for (const key of def.params) spec[key] = a[key];
  if (def.targeted && a.targeted) spec.target = a.target < 0 ? 'least-likely' : a.target;
  return spec as unknown as AttackSpec;
}

/**
 * The paper's defaults of an attack's parameters for a budget (its definition's `defaults`, with the
 * step count it picks fed back in: MI-FGSM's step is eps / steps of its own 10 steps), plus the
 * studio's smaller interactive budgets when `studio`.
 */
export function paperDefaults(
  name: string,
  ctx: { eps: number; norm: Norm; steps: number; colour: boolean },
  studio = false,
): Record<string, number | boolean | string> {
  if (!isAttackName(name)) return {};
  const def = ATTACKS[name];
  const norm = effectiveNorm({ name, norm: ctx.norm });
  const first = def.defaults({ ...ctx, norm });
  const steps = typeof first.steps === 'number' ? first.steps : ctx.steps;
  return { ...def.defaults({ ...ctx, norm, steps }), ...(studio ? def.studioDefaults : {}) };
}

/**
 * The parameters to change after eps or the step count changed: those whose default follows the
 * budget (`followsBudget`) and that still hold the default of the budget before (a value the user set
 * is kept).
 */
export function followBudget(
  name: string,
  before: { eps: number; norm: Norm; steps: number; colour: boolean },
  after: { eps: number; norm: Norm; steps: number; colour: boolean },
  current: Record<string, unknown>,
): Record<string, number | boolean | string> {
  if (!isAttackName(name)) return {};
  const def = ATTACKS[name];
  const norm = (c: typeof before) => ({ ...c, norm: effectiveNorm({ name, norm: c.norm }) });
  const old = def.defaults(norm(before));
  const next = def.defaults(norm(after));
  const out: Record<string, number | boolean | string> = {};
  for (const key of def.followsBudget ?? []) if (current[key] === old[key] && next[key] !== undefined) out[key] = next[key];
  return out;
}
