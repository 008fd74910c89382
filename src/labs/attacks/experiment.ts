/**
 * The attacks lab's slice of the experiment description: the chosen attack and its norm, the attack
 * parameters several attacks share, every attack's own parameters (declared in its file), and the
 * batch robustness check. URL keys carry the prefix `atk.`; version 1 links (flat keys) are migrated.
 *
 * The attack parameters several attacks share (eps, steps, step size, random start, restarts, seed,
 * the target), declared once: path in the experiment, URL key, CLI flag, type, range, default, the
 * studio's label and slider. Parameters only one attack has are declared in that attack's file
 * (`AttackDefinition.fields`).
 *
 * Ranges follow the norm: L-inf eps in [0, 1], L2 eps in [0, sqrt(H*W*C)] of the data set (28 on MNIST).
 */
import type { Norm } from '../../core/adversarial/types';
import type { Slice } from '../../core/experiment/codec';
import { isColour, maxEps, testSize, type CoreSettings } from '../../core/experiment/core-settings';
import { copyValue, type Field, type Value } from '../../core/experiment/fields';
import type { ParamField } from './algorithms/definition';
import { ATTACK_LIST, ATTACK_NAMES, effectiveNorm as normOf } from './algorithms/registry';

/** The part of the experiment the attack parameters' ranges look at. */
export interface AttackContext {
  dataset: string;
  attack: { name: string; norm: Norm };
}

/** CIFAR-10's L-inf budgets (Madry et al.): 8/255 with 2/255 steps. */
export const COLOUR_LINF = { eps: 8 / 255, stepSize: 2 / 255, epsilons: [0, 2 / 255, 4 / 255, 8 / 255, 16 / 255] };

/** The eps bound of the experiment's attack (its effective norm, its data set). */
export const epsBound = (e: AttackContext) => maxEps(normOf(e.attack), e.dataset);
/** True where budgets are written in /255 (colour data sets under L-inf). */
export const colourLinf = (e: AttackContext) => isColour(e.dataset) && normOf(e.attack) === 'linf';

export const SHARED_PARAMS: readonly ParamField[] = [
  {
    path: 'attack.eps',
    url: 'eps',
    cli: 'eps',
    type: { kind: 'float', min: 0, max: epsBound },
    label: 'epsilon',
    short: 'ε',
    help: 'the perturbation budget in the attack norm (L-inf: 0..1, or a fraction such as 8/255; L2: 0..sqrt(H*W*C))',
    default: 0.1,
    defaultFor: (e: AttackContext) => (colourLinf(e) ? COLOUR_LINF.eps : undefined),
    slider: (e: AttackContext) =>
      normOf(e.attack) === 'l2'
        ? { min: 0, max: Math.min(10, maxEps('l2', e.dataset)), step: 0.05 }
        : { min: 0, max: isColour(e.dataset) ? 32 / 255 : 0.5, step: 1 / 255 },
  },
  {
    path: 'attack.steps',
    url: 'steps',
    cli: 'steps',
    type: { kind: 'int', min: 1, max: 10000 },
    label: 'steps',
    short: 'Steps',
    help: 'iterations of the attack',
    default: 40,
    slider: () => ({ min: 1, max: 200, step: 1 }),
  },
  {
    path: 'attack.stepSize',
    url: 'step',
    cli: 'step-size',
    type: { kind: 'float', min: 1e-6, max: epsBound },
    label: 'step size',
    short: 'Step size',
    help: 'the size of one step, in the attack norm',
    default: 0.01,
    defaultFor: (e: AttackContext) => (colourLinf(e) ? COLOUR_LINF.stepSize : undefined),
    slider: (e: AttackContext) => (normOf(e.attack) === 'l2' ? { min: 0.005, max: 2, step: 0.005 } : { min: 0.001, max: 0.1, step: 0.001 }),
  },
  {
    path: 'attack.randomStart',
    url: 'rs',
    cli: 'random-start',
    type: { kind: 'bool' },
    label: 'random start',
    short: 'Random start',
    help: 'start from a uniformly random point of the eps ball',
    default: true,
  },
  {
    path: 'attack.restarts',
    url: 'restarts',
    cli: 'restarts',
    type: { kind: 'int', min: 1, max: 100 },
    label: 'restarts',
    short: 'Restarts',
    help: 'runs from different random starts; an image is robust only if it survives every one',
    default: 1,
    slider: () => ({ min: 1, max: 10, step: 1 }),
  },
  {
    path: 'attack.seed',
    url: 'seed',
    cli: 'seed',
    type: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
    label: 'seed',
    short: 'Seed',
    help: 'seed of every random choice: the same seed gives the same adversarial images',
    default: 0,
  },
  {
    path: 'attack.targeted',
    url: 'tgt',
    cli: 'targeted',
    type: { kind: 'bool' },
    label: 'targeted',
    help: 'aim for a target class (the least likely one unless --target says which)',
    default: false,
  },
  {
    path: 'attack.target',
    url: 'target',
    cli: 'target',
    type: { kind: 'int', min: -1, max: 999 },
    label: 'target class (-1: least likely)',
    help: 'target class of a targeted attack; -1 = the least likely class on the clean image',
    default: -1,
  },
];

/** The attack settings the URL and the CLI carry: the chosen attack, its norm, and every parameter (each attack reads its own). */
export interface AttackSettings {
  /** An attack of the registry, or 'none'. */
  name: string;
  norm: Norm;
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
  /** Targeted variant (where the attack has one). */
  targeted: boolean;
  /** Target class of a targeted attack; -1 = the least-likely class on the clean image. */
  target: number;
  /** The parameters single attacks declare (momentum, c0, queries, ...), by key. */
  [param: string]: Value;
}

/** The robustness check (batch panel): test images start .. start + n - 1, the curve's epsilons, more models. */
export interface BatchSettings {
  /** First test image of the check. */
  start: number;
  /** Number of test images. */
  n: number;
  /** Epsilons of the accuracy curve, in the attack's norm (minimisation attacks: L2 thresholds). */
  epsilons: number[];
  /** Other zoo models of the same data set drawn on the same curve. */
  models: string[];
}

/** The attacks lab's part of the experiment. */
export interface AttacksExperiment extends CoreSettings {
  attack: AttackSettings;
  batch: BatchSettings;
}

const NAME_FIELD: ParamField = {
  path: 'attack.name',
  url: 'name',
  cli: 'attack',
  type: { kind: 'enum', values: ['none', ...ATTACK_NAMES] },
  label: 'attack',
  help: ATTACK_NAMES.join(', '),
  default: 'pgd',
};

const NORM_FIELD: ParamField = {
  path: 'attack.norm',
  url: 'norm',
  cli: 'norm',
  type: { kind: 'enum', values: ['linf', 'l2'] },
  label: 'norm',
  help: 'the norm of the budget (an attack that has one norm uses it whatever this says)',
  default: 'linf',
};

const BATCH_FIELDS: readonly Field<AttacksExperiment>[] = [
  {
    path: 'batch.start',
    url: 'bstart',
    cli: 'batch-start',
    type: { kind: 'int', min: 0, max: (e) => testSize(e.dataset) - 1 },
    label: 'first test image of the check',
    default: 0,
  },
  {
    path: 'batch.n',
    url: 'bn',
    cli: 'batch-n',
    type: { kind: 'int', min: 1, max: (e) => testSize(e.dataset) },
    label: 'number of test images of the check',
    default: 100,
  },
  {
    path: 'batch.epsilons',
    url: 'beps',
    cli: 'batch-epsilons',
    type: { kind: 'floatList', min: 0, max: epsBound, minItems: 1, maxItems: 20 },
    label: 'epsilons of the curve',
    default: [0, 0.05, 0.1, 0.2, 0.3],
    defaultFor: (e) => (colourLinf(e) ? [...COLOUR_LINF.epsilons] : undefined),
  },
  {
    path: 'batch.models',
    url: 'bmodels',
    cli: 'batch-models',
    type: { kind: 'idList', maxItems: 8 },
    label: 'models of the curve',
    default: [],
  },
];

/** Every attack's own parameters, in registry order (a key declared twice is an error). */
function ownParams(): ParamField[] {
  const out: ParamField[] = [];
  const shared = new Set(SHARED_PARAMS.map((f) => f.path));
  for (const a of ATTACK_LIST) {
    for (const f of a.fields ?? []) {
      if (shared.has(f.path) || out.some((g) => g.path === f.path))
        throw new Error(`attack ${a.name} declares parameter ${f.path}, which is already declared`);
      out.push(f);
    }
  }
  return out;
}

/** The fields of every attack parameter (shared and own), in the order the studio shows them. */
export const ATTACK_PARAM_FIELDS: readonly ParamField[] = [...SHARED_PARAMS, ...ownParams()];

/** The settings key of an attack parameter field ('attack.eps' -> 'eps'). */
export const paramKey = (f: ParamField) => f.path.slice('attack.'.length);

export const ATTACKS_SLICE: Slice<AttacksExperiment> = {
  prefix: 'atk',
  // 1: the flat keys of the first links (attack=pgd&eps=0.3); 2: prefixed, the attack's key is `name`
  version: 2,
  fields: [NAME_FIELD, NORM_FIELD, ...ATTACK_PARAM_FIELDS, ...BATCH_FIELDS],
  legacyKeys: ['attack', 'norm', ...[...SHARED_PARAMS, ...ownParams()].map((f) => f.url), ...BATCH_FIELDS.map((f) => f.url)],
  migrations: {
    1: (raw) => {
      const name = raw.get('attack');
      raw.delete('attack');
      if (name !== undefined) raw.set('name', name);
      // version 1 ran C&W with the paper's optimiser, whose learning rate was the default 0.01
      if (!raw.has('opt')) raw.set('opt', 'paper');
      if (!raw.has('lr')) raw.set('lr', '0.01');
    },
  },
};

/** The lab's defaults, from the field tables. */
export function defaultAttackSettings(): AttackSettings {
  const a: Record<string, Value> = { name: NAME_FIELD.default, norm: NORM_FIELD.default };
  for (const f of ATTACK_PARAM_FIELDS) a[paramKey(f)] = copyValue(f.default);
  return a as AttackSettings;
}

export function defaultBatchSettings(): BatchSettings {
  return { start: 0, n: 100, epsilons: [0, 0.05, 0.1, 0.2, 0.3], models: [] };
}

export function cloneAttacksPart<E extends AttacksExperiment>(e: E): E {
  return { ...e, attack: { ...e.attack }, batch: { ...e.batch, epsilons: [...e.batch.epsilons], models: [...e.batch.models] } };
}
