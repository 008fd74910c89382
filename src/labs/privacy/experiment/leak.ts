/**
 * Gradient leakage's part of the privacy lab's slice (`pv.*` URL keys): which attack, on which image
 * and batch, for how many steps, against which defence (algorithms/leakage/). CLI flags carry a
 * `leak-` prefix (unique within the slice); `rlab dlg` also takes the short names.
 */
import type { Field } from '../../../core/experiment/fields';

export const LEAK_METHODS = ['dlg', 'idlg', 'ig'] as const;
export type LeakMethod = (typeof LEAK_METHODS)[number];

/**
 * L-BFGS's early stops (DLG, iDLG): `pytorch` keeps torch.optim.LBFGS's defaults (tolerance_grad 1e-7,
 * tolerance_change 1e-9; the DLG authors' setting), so a step ends once the gradient or the change is that
 * small; `none` sets both to 0, so every step runs its 20 iterations and the loss keeps falling below 1e-7.
 */
export const LEAK_TOLERANCES = ['pytorch', 'none'] as const;
export type LeakTolerances = (typeof LEAK_TOLERANCES)[number];

export interface LeakSettings {
  method: LeakMethod;
  /** Index of the first test image of the batch. */
  index: number;
  batch: number;
  /** Optimiser steps (L-BFGS steps for DLG/iDLG, Adam steps for IG). */
  iterations: number;
  /** Defences: Gaussian noise std, pruned fraction, per-example clipping norm (0 = off). */
  noise: number;
  prune: number;
  clip: number;
  /** Inverting gradients' total-variation weight. */
  tv: number;
  /**
   * Trials from different dummy initialisations; the one with the smallest gradient-matching loss (what
   * the attacker can see) is kept, as Geiping et al.'s inversefed does with its `restarts`. The DLG
   * authors run one.
   */
  restarts: number;
  /** L-BFGS's early stops (LEAK_TOLERANCES). */
  tolerances: LeakTolerances;
  seed: number;
}

export interface LeakPart {
  leak: LeakSettings;
}

export const defaultLeak = (): LeakSettings => ({
  method: 'dlg',
  index: 0,
  batch: 1,
  iterations: 300,
  noise: 0,
  prune: 0,
  clip: 0,
  tv: 0.1,
  restarts: 1,
  tolerances: 'pytorch',
  seed: 0,
});

export const LEAK_FIELDS: readonly Field<LeakPart>[] = [
  {
    path: 'leak.method',
    url: 'lm',
    cli: 'leak-method',
    type: { kind: 'enum', values: LEAK_METHODS },
    label: 'leakage attack',
    help: 'dlg (Zhu et al. 2019), idlg (Zhao et al. 2020), ig (inverting gradients, Geiping et al. 2020)',
    default: 'dlg',
  },
  {
    path: 'leak.index',
    url: 'li',
    cli: 'leak-index',
    type: { kind: 'int', min: 0, max: 49999 },
    label: 'image index',
    help: 'first test image of the batch',
    default: 0,
  },
  {
    path: 'leak.batch',
    url: 'lb',
    cli: 'leak-batch',
    type: { kind: 'int', min: 1, max: 16 },
    label: 'batch size',
    help: "images in the client's batch",
    default: 1,
  },
  {
    path: 'leak.iterations',
    url: 'lt',
    cli: 'leak-iterations',
    type: { kind: 'int', min: 1, max: 24000 },
    label: 'iterations',
    help: 'optimiser steps (L-BFGS steps of up to 20 iterations for dlg/idlg; Adam steps for ig)',
    default: 300,
  },
  {
    path: 'leak.noise',
    url: 'ln',
    cli: 'leak-noise',
    type: { kind: 'float', min: 0, max: 10 },
    label: 'gradient noise',
    help: 'std of Gaussian noise added to the shared gradient',
    default: 0,
  },
  {
    path: 'leak.prune',
    url: 'lp',
    cli: 'leak-prune',
    type: { kind: 'float', min: 0, max: 0.999 },
    label: 'pruned fraction',
    help: 'smallest fraction of each gradient tensor set to 0',
    default: 0,
  },
  {
    path: 'leak.clip',
    url: 'lc',
    cli: 'leak-clip',
    type: { kind: 'float', min: 0, max: 1000 },
    label: 'clipping norm',
    help: 'per-example L2 clipping before the noise (0: none)',
    default: 0,
  },
  {
    path: 'leak.tv',
    url: 'lv',
    cli: 'leak-tv',
    type: { kind: 'float', min: 0, max: 10 },
    label: 'TV weight',
    help: "inverting gradients' total-variation prior",
    default: 0.1,
  },
  {
    path: 'leak.restarts',
    url: 'lk',
    cli: 'leak-restarts',
    type: { kind: 'int', min: 1, max: 16 },
    label: 'restarts',
    help: 'trials from different dummy starts; the smallest gradient-matching loss is kept (Geiping et al.)',
    default: 1,
  },
  {
    path: 'leak.tolerances',
    url: 'lz',
    cli: 'leak-tolerances',
    type: { kind: 'enum', values: LEAK_TOLERANCES },
    label: 'L-BFGS early stops',
    help: "pytorch: torch.optim.LBFGS's tolerance_grad 1e-7 and tolerance_change 1e-9 (the DLG authors'); none: every step runs its 20 iterations (DLG, iDLG)",
    default: 'pytorch',
  },
  {
    path: 'leak.seed',
    url: 'ls',
    cli: 'leak-seed',
    type: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
    label: 'seed',
    help: 'network initialisation and dummy input',
    default: 0,
  },
];
