/**
 * What an attack declares to join the lab: one `AttackDefinition` exported from its algorithm file and
 * one entry in registry.ts. Everything else (the studio's controls, the URL keys, the CLI flags and
 * `rlab help`, the worker's progress, the batch check, `rlab eval` and the zoo table) reads these
 * declarations, so adding an attack touches its file and the registry list only.
 *
 * Settings vs spec: the experiment keeps one flat record of attack settings (`AttackSettings`: the
 * chosen attack, its norm, the shared parameters and every attack's own), which the URL and the CLI
 * carry; an attack run takes a spec holding only the options of that attack (`specFromSettings`).
 * Parameter keys are the same in both (`eps`, `steps`, `c0`, ...), except the target: settings hold
 * `targeted` + `target` (-1 = least likely), a spec holds `target` (a class or 'least-likely') or none.
 */
import type * as tf from '@tensorflow/tfjs';
import type { AttackHooks, AttackOutcome, Norm, TargetSpec } from '../../../core/adversarial/types';
import type { Field } from '../../../core/experiment/fields';
import type { Classifier } from '../../../core/models/classifier';

/** The options of one attack run (each attack narrows it to its own spec type). */
export interface AttackSpec {
  name: string;
  norm?: Norm;
  eps?: number;
  seed?: number;
  target?: TargetSpec;
  /** The attack's own options (its spec type in its file says which). */
  [option: string]: unknown;
}

/** What the default of a parameter may depend on. */
export interface DefaultsContext {
  eps: number;
  norm: Norm;
  /** Steps the user chose (MI-FGSM's step size is eps / steps). */
  steps: number;
  /** True on colour data sets (CIFAR-10: L-inf budgets on the /255 scale). */
  colour: boolean;
}

/**
 * A parameter an attack introduces (a field of the attack settings: path `attack.<key>`). The
 * experiment context type is left open here: the attacks lab's slice binds it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ParamField = Field<any>;

export interface AttackDefinition<S extends { name: string } = AttackSpec> {
  /** Name in the URL, the CLI and the JSON ('pgd'). */
  name: string;
  /** Name shown to people ('PGD'). */
  label: string;
  /** Paper(s), for the studio and help. */
  reference: string;
  /** One line on what it does, for the studio and `rlab help`. */
  summary: string;
  /** Supported norms, the default first. */
  norms: readonly Norm[];
  /** 'bounded': stays inside an eps ball; 'minimisation': finds the smallest adversarial it can (no eps). */
  kind: 'bounded' | 'minimisation';
  /** Uses only forward passes (no gradients). */
  blackBox: boolean;
  /** Has a targeted variant. */
  targeted: boolean;
  /** Settings keys it reads besides name, norm and the target (shared ones from params.ts, or its own from `fields`). */
  params: readonly string[];
  /** Spec options for library callers that have no setting (C&W's abortEarly), if any. */
  options?: readonly string[];
  /** Parameters it brings that no attack declared before (their URL key, CLI flag, type, default, range). */
  fields?: readonly ParamField[];
  /**
   * The paper's (or its reference code's) defaults of its parameters for a budget: what the studio
   * sets when the attack is chosen or eps changes, and what `resolve` fills in. One rule, here.
   */
  defaults(ctx: DefaultsContext): Record<string, number | boolean | string>;
  /** The studio's slider ranges for shared parameters where this attack needs others (C&W's steps reach 1000s). */
  sliders?: Record<string, { min: number; max: number; step: number }>;
  /** Smaller budgets the studio picks for one image to stay interactive (e.g. Square's 1000 queries), if any. */
  studioDefaults?: Record<string, number | boolean | string>;
  /** Parameters whose default follows eps or steps: the studio recomputes them when those change. */
  followsBudget?: readonly string[];
  /** The spec with every default filled in; throws `invalid attack options: ...` on bad options. */
  resolve(spec: S): S;
  /** Run on a batch; y: true labels. The caller disposes outcome.adversarial. */
  run(clf: Classifier, x: tf.Tensor4D, y: Int32Array | number[], spec: S, hooks?: AttackHooks): Promise<AttackOutcome>;
  /** Trace records a run produces on one image, roughly (the progress bar; early stops end sooner). */
  expectedSteps(spec: S): number;
  /**
   * `rlab eval` conventions, where they differ from the attack's defaults: values of switches left out
   * (PGD runs without a random start unless --random-start is given), parameters the CLI does not offer.
   */
  cli?: { absent?: Record<string, boolean>; fixed?: readonly string[] };
  /**
   * The attack's fields in `rlab eval --json` (`attack` object), from the resolved spec: steps, step_size,
   * random_start, restarts and its own options in snake_case. Omitted: name, norm and eps, seed, target.
   */
  json(spec: S): Record<string, unknown>;
  /** `rlab eval --json` reports attacked / fooled counts (default true; FGSM and PGD keep their first output). */
  jsonStats?: boolean;
  /**
   * Its rows in the zoo's robustness table (`rlab zoo-table`, models/ROBUSTNESS.md) at the table's
   * standard budgets, if it has any.
   */
  zooRows?(ctx: ZooContext): ZooRow[];
  /** What its zoo rows measure, one line for the table's legend. */
  zooNote?: string;
  /** Whether iterate k does not depend on the total step count, so the studio can replay k steps. */
  steppable?: boolean;
  /**
   * It differentiates the classifier itself rather than through the shared helpers gradWithLogits /
   * inputGradient (C&W, DeepFool): EOT against a randomised defence (which those helpers average) is
   * refused for it.
   */
  ownGradients?: boolean;
}

/** An attack definition for the registry's list (specs are checked at run time). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyAttack = AttackDefinition<any>;

/**
 * What an attack's declaration file (`<attack>-def.ts`) holds: its definition without the run. The
 * declarations are free of TensorFlow.js, so that the page's main thread reads them (controls, links,
 * help) without loading it; registry.ts attaches each run, loaded from `<attack>.ts` on first use.
 */
export type AttackDeclaration<S extends { name: string } = AttackSpec> = Omit<AttackDefinition<S>, 'run'>;

/** Declare an attack (keeps its spec type in its own file, the registry holds AnyAttack). */
export function defineAttack<S extends { name: string }>(d: AttackDeclaration<S>): AttackDeclaration<S> {
  return d;
}

/** A declaration with its run, loaded (a dynamic import) the first time the attack runs. */
export function withRun<S extends { name: string }>(
  d: AttackDeclaration<S>,
  load: () => Promise<AttackDefinition<S>['run']>,
): AttackDefinition<S> {
  let run: Promise<AttackDefinition<S>['run']> | undefined;
  return { ...d, run: async (...args) => (await (run ??= load()))(...args) };
}

/** What the zoo table knows of a model when it asks an attack for its rows. */
export interface ZooContext {
  dataset: string;
  /** The model card's L-inf epsilons (or the data set's usual ones). */
  linf: number[];
  /** The data set's L2 epsilon. */
  l2: number;
  seed: number;
  /** The setting of the card's own PGD figure at an L-inf eps, if it has one. */
  cardPgd(eps: number): { steps: number; stepSize: number; randomStart: boolean; restarts: number } | undefined;
  /** A budget as the table writes it (CIFAR-10: in /255). */
  budget(v: number): string;
}

/** One row of the zoo table. */
export interface ZooRow {
  /** Row label, e.g. "PGD-40". */
  label: string;
  norm: Norm;
  /** The budget (bounded attacks) or the L2 threshold (minimisation attacks). */
  eps: number;
  /** The budget in words. */
  budget: string;
  spec: AttackSpec;
  /** Evaluate on the first min(n, maxImages) images only (the expensive attacks). */
  maxImages?: number;
}
