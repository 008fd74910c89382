/**
 * DP-SGD training in the tab: its part of the privacy lab's slice (`pv.*` URL keys, all starting with
 * `d`; CLI flags with a `dp-` prefix, unique within the slice). Convention (Opacus's): the noise is set
 * either by the noise multiplier sigma or by a target epsilon (the inverse accountant then finds sigma
 * for the run's steps); the sample rate is q = expected batch / training images (Poisson sampling,
 * floor(1 / q) steps an epoch); delta and the accountant say how epsilon is counted. Adding these keys
 * did not change the slice's version: links without them open with these defaults.
 */
import type { Field } from '../../../core/experiment/fields';

export const DP_ACCOUNTANTS = ['rdp', 'rdp-classic', 'prv'] as const;
export const DP_NOISE_MODES = ['sigma', 'epsilon'] as const;

export interface DpSettings {
  /** 'sigma': the noise multiplier is given; 'epsilon': found for `target` by the inverse accountant. */
  noise: (typeof DP_NOISE_MODES)[number];
  sigma: number;
  target: number;
  clip: number;
  /** Expected batch size: the sample rate is batch / slice. */
  batch: number;
  epochs: number;
  learningRate: number;
  /** The first `slice` images of the training file. */
  slice: number;
  delta: number;
  accountant: (typeof DP_ACCOUNTANTS)[number];
  /** Epsilon and the probe's test accuracy every `every` steps (and after each epoch). */
  every: number;
  /** Test images of the probe (during training). */
  probe: number;
  /** Test images the finished model's card is measured on. */
  testImages: number;
  seed: number;
  /** The training image the clipping view explains. */
  image: number;
}

export interface DpPart {
  dp: DpSettings;
}

export const defaultDp = (): DpSettings => ({
  noise: 'sigma',
  sigma: 1.1,
  target: 3,
  clip: 1,
  batch: 120,
  epochs: 2,
  learningRate: 1,
  slice: 6000,
  delta: 1e-5,
  accountant: 'rdp',
  every: 10,
  probe: 500,
  testImages: 2000,
  seed: 0,
  image: 0,
});

const d = defaultDp();

export const DP_FIELDS: readonly Field<DpPart>[] = [
  {
    path: 'dp.noise',
    url: 'dnoise',
    cli: 'dp-noise',
    type: { kind: 'enum', values: DP_NOISE_MODES },
    label: 'noise set by',
    help: 'sigma: the noise multiplier as given; epsilon: the noise multiplier that meets the target epsilon (inverse accountant)',
    default: d.noise,
  },
  {
    path: 'dp.sigma',
    url: 'dsig',
    cli: 'dp-sigma',
    type: { kind: 'float', min: 0.1, max: 100 },
    label: 'noise multiplier σ',
    help: 'the Gaussian noise added to the clipped sum has std σ·C',
    default: d.sigma,
  },
  {
    path: 'dp.target',
    url: 'dtgt',
    cli: 'dp-target-epsilon',
    type: { kind: 'float', min: 0.01, max: 1000 },
    label: 'target ε',
    help: 'the epsilon the whole run may spend at delta (noise set by epsilon)',
    default: d.target,
  },
  {
    path: 'dp.clip',
    url: 'dclip',
    cli: 'dp-clip',
    type: { kind: 'float', min: 0.001, max: 1000 },
    label: 'clipping norm C',
    help: "each example's gradient is scaled to an L2 norm of at most C",
    default: d.clip,
  },
  {
    path: 'dp.batch',
    url: 'dbs',
    cli: 'dp-batch',
    type: { kind: 'int', min: 1, max: 60000 },
    label: 'expected batch',
    help: 'Poisson sampling: each training image joins a batch with probability q = expected batch / training images',
    default: d.batch,
  },
  {
    path: 'dp.epochs',
    url: 'dep',
    cli: 'dp-epochs',
    type: { kind: 'int', min: 1, max: 200 },
    label: 'epochs',
    help: 'epochs of floor(1/q) noisy steps each',
    default: d.epochs,
  },
  {
    path: 'dp.learningRate',
    url: 'dlr',
    cli: 'dp-lr',
    type: { kind: 'float', min: 1e-6, max: 10 },
    label: 'learning rate',
    help: "plain SGD at a constant rate (Opacus's MNIST example: 0.25 over 15 epochs; 1 suits a run of 100 steps: 76% against 59% at 0.25 on MNIST)",
    default: d.learningRate,
  },
  {
    path: 'dp.slice',
    url: 'dn',
    cli: 'dp-slice',
    type: { kind: 'int', min: 10, max: 60000 },
    label: 'training images',
    help: 'the first images of the training file (a slice keeps a run in the browser short)',
    default: d.slice,
  },
  {
    path: 'dp.delta',
    url: 'ddelta',
    cli: 'dp-delta',
    type: { kind: 'float', min: 1e-12, max: 0.1 },
    label: 'δ',
    help: 'the delta epsilon is counted at (below 1 / training images, as usual)',
    default: d.delta,
  },
  {
    path: 'dp.accountant',
    url: 'dacc',
    cli: 'dp-accountant',
    type: { kind: 'enum', values: DP_ACCOUNTANTS },
    label: 'accountant',
    help: 'rdp (Balle et al. 2020 conversion), rdp-classic (min over orders of rdp - log(delta)/(order - 1)), prv (Gopi et al. 2021)',
    default: d.accountant,
  },
  {
    path: 'dp.every',
    url: 'devery',
    cli: 'dp-every',
    type: { kind: 'int', min: 1, max: 10000 },
    label: 'measure every',
    help: 'steps between two readings of epsilon and the probe accuracy',
    default: d.every,
  },
  {
    path: 'dp.probe',
    url: 'dprobe',
    cli: 'dp-probe',
    type: { kind: 'int', min: 10, max: 10000 },
    label: 'probe images',
    help: 'test images whose accuracy is read during training',
    default: d.probe,
  },
  {
    path: 'dp.testImages',
    url: 'dtest',
    cli: 'dp-test-images',
    type: { kind: 'int', min: 10, max: 10000 },
    label: 'card test images',
    help: "test images the finished model's card accuracy is measured on",
    default: d.testImages,
  },
  {
    path: 'dp.seed',
    url: 'dseed',
    cli: 'dp-seed',
    type: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
    label: 'seed',
    help: 'initialisation, Poisson batches and noise',
    default: d.seed,
  },
  {
    path: 'dp.image',
    url: 'dimg',
    cli: 'dp-image',
    type: { kind: 'int', min: 0, max: 59999 },
    label: 'training image',
    help: 'the training image whose gradient the clipping view follows',
    default: d.image,
  },
];
