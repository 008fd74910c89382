/**
 * The attack library's uniform entry point: a registry of every attack, `runAttack` with one call
 * shape for all, and `sweepEpsilons` (Foolbox style: robust accuracy for a list of epsilons).
 *
 * All attacks: pixels in [0, 1], gradients (white-box attacks) of losses on the classifier's logits,
 * batched, any TensorFlow.js backend, deterministic for a seed, cancellable between steps.
 */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from '../../../core/models/classifier';
import { runApgd, resolveApgd } from './apgd';
import { runBim, resolveBim } from './bim';
import { readAndDispose } from '../../../core/adversarial/common';
import { runCw, resolveCw } from './cw';
import { runDeepFool, resolveDeepFool } from './deepfool';
import { runFgsm, resolveFgsm } from './fgsm';
import { runMifgsm, resolveMifgsm } from './mifgsm';
import { resolvePgd, runPgd } from './pgd';
import { resolveSquare, runSquare } from './square';
import { ATTACK_NORMS, type AttackParams } from '../../../core/experiment';
import type { AttackHooks, AttackName, AttackOutcome, AttackSpec, Norm } from '../../../core/adversarial/types';

export * from '../../../core/adversarial/types';

/** Option names of the specs (camelCase); the CLI and URL names are in experiment.ts. */
export type SpecParam =
  | 'norm'
  | 'eps'
  | 'steps'
  | 'stepSize'
  | 'randomStart'
  | 'restarts'
  | 'seed'
  | 'target'
  | 'momentum'
  | 'binarySearchSteps'
  | 'c0'
  | 'confidence'
  | 'lr'
  | 'abortEarly'
  | 'overshoot'
  | 'queries'
  | 'pInit';

export interface AttackInfo {
  name: AttackName;
  label: string;
  reference: string;
  norms: readonly Norm[];
  /** 'bounded': stays inside an eps ball; 'minimisation': finds the smallest adversarial it can (no eps). */
  kind: 'bounded' | 'minimisation';
  /** Uses only forward passes (no gradients). */
  blackBox: boolean;
  /** Has a targeted variant. */
  targeted: boolean;
  /** Options this attack accepts besides its name. */
  params: readonly SpecParam[];
}

export const ATTACKS: Readonly<Record<AttackName, AttackInfo>> = {
  fgsm: {
    name: 'fgsm',
    label: 'FGSM',
    reference: 'Goodfellow, Shlens, Szegedy 2015; targeted: Kurakin et al. 2017',
    norms: ATTACK_NORMS.fgsm,
    kind: 'bounded',
    blackBox: false,
    targeted: true,
    params: ['norm', 'eps', 'randomStart', 'seed', 'target'],
  },
  bim: {
    name: 'bim',
    label: 'BIM / I-FGSM',
    reference: 'Kurakin, Goodfellow, Bengio 2017 (ILLC for the targeted variant)',
    norms: ATTACK_NORMS.bim,
    kind: 'bounded',
    blackBox: false,
    targeted: true,
    params: ['norm', 'eps', 'steps', 'stepSize', 'seed', 'target'],
  },
  pgd: {
    name: 'pgd',
    label: 'PGD',
    reference: 'Madry et al. 2018',
    norms: ATTACK_NORMS.pgd,
    kind: 'bounded',
    blackBox: false,
    targeted: true,
    params: ['norm', 'eps', 'steps', 'stepSize', 'randomStart', 'restarts', 'seed', 'target'],
  },
  mifgsm: {
    name: 'mifgsm',
    label: 'MI-FGSM',
    reference: 'Dong et al. 2018',
    norms: ATTACK_NORMS.mifgsm,
    kind: 'bounded',
    blackBox: false,
    targeted: true,
    params: ['norm', 'eps', 'steps', 'stepSize', 'momentum', 'seed', 'target'],
  },
  'apgd-ce': {
    name: 'apgd-ce',
    label: 'APGD-CE',
    reference: 'Croce & Hein 2020',
    norms: ATTACK_NORMS['apgd-ce'],
    kind: 'bounded',
    blackBox: false,
    targeted: true,
    params: ['norm', 'eps', 'steps', 'restarts', 'randomStart', 'seed', 'target'],
  },
  cw: {
    name: 'cw',
    label: 'Carlini-Wagner L2',
    reference: 'Carlini & Wagner 2017',
    norms: ATTACK_NORMS.cw,
    kind: 'minimisation',
    blackBox: false,
    targeted: true,
    params: ['norm', 'steps', 'binarySearchSteps', 'c0', 'confidence', 'lr', 'abortEarly', 'seed', 'target'],
  },
  deepfool: {
    name: 'deepfool',
    label: 'DeepFool',
    reference: 'Moosavi-Dezfooli, Fawzi, Frossard 2016',
    norms: ATTACK_NORMS.deepfool,
    kind: 'minimisation',
    blackBox: false,
    targeted: false,
    params: ['norm', 'steps', 'overshoot', 'seed'],
  },
  square: {
    name: 'square',
    label: 'Square Attack',
    reference: 'Andriushchenko, Croce, Flammarion, Hein 2020',
    norms: ATTACK_NORMS.square,
    kind: 'bounded',
    blackBox: true,
    targeted: true,
    params: ['norm', 'eps', 'queries', 'pInit', 'seed', 'target'],
  },
};

export const ATTACK_NAMES = Object.keys(ATTACKS) as AttackName[];

export function isAttackName(s: string): s is AttackName {
  return Object.prototype.hasOwnProperty.call(ATTACKS, s);
}

/** The spec with every default filled in (throws one-line errors on invalid options). */
export function resolveSpec(spec: AttackSpec): AttackSpec {
  const info = (ATTACKS as Record<string, AttackInfo | undefined>)[(spec as { name: string }).name];
  if (!info) throw new Error(`invalid attack options: unknown attack "${String((spec as { name: unknown }).name)}"`);
  for (const key of Object.keys(spec)) {
    if (
      key !== 'name' &&
      !(info.params as readonly string[]).includes(key) &&
      (spec as unknown as Record<string, unknown>)[key] !== undefined
    )
      throw new Error(`invalid attack options: ${key} does not apply to ${spec.name}`);
  }
  switch (spec.name) {
    case 'fgsm':
      return resolveFgsm(spec);
    case 'bim':
      return resolveBim(spec);
    case 'pgd':
      return resolvePgd(spec);
    case 'mifgsm':
      return resolveMifgsm(spec);
    case 'apgd-ce':
      return resolveApgd(spec);
    case 'cw':
      return resolveCw(spec);
    case 'deepfool':
      return resolveDeepFool(spec);
    case 'square':
      return resolveSquare(spec);
  }
}

/** Run any attack on a batch. y: true labels. The caller disposes outcome.adversarial. */
export async function runAttack(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: AttackSpec,
  hooks?: AttackHooks,
): Promise<AttackOutcome> {
  resolveSpec(spec);
  switch (spec.name) {
    case 'fgsm':
      return runFgsm(clf, x, y, spec, hooks);
    case 'bim':
      return runBim(clf, x, y, spec, hooks);
    case 'pgd':
      return runPgd(clf, x, y, spec, hooks);
    case 'mifgsm':
      return runMifgsm(clf, x, y, spec, hooks);
    case 'apgd-ce':
      return runApgd(clf, x, y, spec, hooks);
    case 'cw':
      return runCw(clf, x, y, spec, hooks);
    case 'deepfool':
      return runDeepFool(clf, x, y, spec, hooks);
    case 'square':
      return runSquare(clf, x, y, spec, hooks);
  }
}

export interface SweepResult {
  epsilons: number[];
  /** Fraction of images classified correctly and not fooled, per epsilon. */
  robustAccuracy: number[];
  /** Per epsilon, 1 where the image is still robust (correct when clean and not fooled within eps). */
  robust: Uint8Array[];
  /** 1 where the clean image is classified correctly. */
  cleanCorrect: Uint8Array;
  /** Attack runs (1 for minimisation attacks, one per epsilon otherwise). */
  runs: number;
}

/**
 * Robust accuracy for a list of epsilons (Foolbox 3: robust accuracy = 1 - success.mean per eps).
 * Bounded attacks run once per epsilon, with the spec's other options (defaults that depend on eps,
 * such as PGD-L2's step size, are recomputed per eps). Minimisation attacks (C&W, DeepFool) run once:
 * an image is robust at eps iff clean-correct and (the attack failed or the L2 norm of the
 * perturbation it found is > eps). Epsilons are in the attack's norm.
 * Images misclassified when clean count as not robust.
 */
export async function sweepEpsilons(
  clf: Classifier,
  x: tf.Tensor4D,
  y: Int32Array | number[],
  spec: AttackSpec,
  epsilons: number[],
  hooks?: AttackHooks,
): Promise<SweepResult> {
  if (epsilons.length === 0) throw new Error('invalid attack options: no epsilons');
  for (const e of epsilons)
    if (!(typeof e === 'number' && e >= 0 && Number.isFinite(e))) throw new Error(`invalid attack options: epsilon ${e}`);
  const n = x.shape[0];
  const labels = Int32Array.from(y);
  const pred = await readAndDispose(tf.tidy(() => tf.argMax(clf.logits(x), 1)));
  const cleanCorrect = Uint8Array.from(labels, (l, i) => (pred[i] === l ? 1 : 0));
  const robust: Uint8Array[] = [];
  const info = ATTACKS[spec.name];
  const h: AttackHooks = { keepTrace: false, ...hooks };
  let runs = 0;
  if (info.kind === 'minimisation') {
    const out = await runAttack(clf, x, labels, spec, h);
    out.adversarial.dispose();
    runs = 1;
    for (const e of epsilons) robust.push(Uint8Array.from(cleanCorrect, (c, i) => (c && (!out.fooled[i] || out.norms.l2[i] > e) ? 1 : 0)));
  } else {
    for (const e of epsilons) {
      const out = await runAttack(clf, x, labels, { ...spec, eps: e } as AttackSpec, h);
      out.adversarial.dispose();
      runs++;
      robust.push(Uint8Array.from(cleanCorrect, (c, i) => (c && !out.fooled[i] ? 1 : 0)));
    }
  }
  return {
    epsilons: [...epsilons],
    robustAccuracy: robust.map((r) => r.reduce((s, v) => s + v, 0) / n),
    robust,
    cleanCorrect,
    runs,
  };
}

/**
 * The AttackSpec an experiment's attack settings describe (null for 'none'): only the options that
 * apply to the chosen attack are carried over; target -1 means the least-likely class.
 */
export function specFromParams(a: AttackParams): AttackSpec | null {
  const target = a.targeted ? (a.target < 0 ? 'least-likely' : a.target) : undefined;
  const seed = a.seed;
  switch (a.name) {
    case 'none':
      return null;
    case 'fgsm':
      return { name: 'fgsm', eps: a.eps, randomStart: a.randomStart, seed, target };
    case 'bim':
      return { name: 'bim', eps: a.eps, steps: a.steps, stepSize: a.stepSize, seed, target };
    case 'pgd':
      return {
        name: 'pgd',
        norm: a.norm,
        eps: a.eps,
        steps: a.steps,
        stepSize: a.stepSize,
        randomStart: a.randomStart,
        restarts: a.restarts,
        seed,
        target,
      };
    case 'mifgsm':
      return { name: 'mifgsm', norm: a.norm, eps: a.eps, steps: a.steps, stepSize: a.stepSize, momentum: a.momentum, seed, target };
    case 'apgd-ce':
      return { name: 'apgd-ce', norm: a.norm, eps: a.eps, steps: a.steps, restarts: a.restarts, randomStart: a.randomStart, seed, target };
    case 'cw':
      return {
        name: 'cw',
        steps: a.steps,
        binarySearchSteps: a.binarySearchSteps,
        c0: a.c,
        confidence: a.confidence,
        lr: a.lr,
        seed,
        target,
      };
    case 'deepfool':
      return { name: 'deepfool', steps: a.steps, overshoot: a.overshoot, seed };
    case 'square':
      return { name: 'square', eps: a.eps, queries: a.queries, pInit: a.pInit, seed, target };
  }
}
