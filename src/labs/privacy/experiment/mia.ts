/**
 * The membership-inference part of the privacy lab's slice (`pv.*` URL keys): the pool, the shadow
 * models and how every model (shadows and target alike) is trained (mia.ts). The data set is Setup's
 * (the core's); `rlab mia` takes the same settings as --pool, --shadows, --epochs, ... (cli/mia.ts).
 */
import type { Field } from '../../../core/experiment/fields';
import { ARCHITECTURES } from '../../../core/models/architecture-ids';

export interface MiaSettings {
  /** The data set of `rlab mia` (the browser uses Setup's). */
  dataset: string;
  pool: number;
  shadows: number;
  seed: number;
  architecture: string;
  epochs: number;
  batchSize: number;
  learningRate: number;
  holdout: number;
  /** DP-SGD's noise multiplier for every model (target and shadows); 0: plain training. */
  dpNoise: number;
  /** DP-SGD's per-example clipping norm C (used when dpNoise > 0). */
  dpClip: number;
}

export interface MiaPart {
  mia: MiaSettings;
}

export const defaultMia = (): MiaSettings => ({
  dataset: 'fashion-mnist',
  pool: 1000,
  shadows: 16,
  seed: 0,
  architecture: 'cnn-small',
  epochs: 16,
  batchSize: 32,
  learningRate: 0.002,
  holdout: 500,
  dpNoise: 0,
  dpClip: 1,
});

const d = defaultMia();

export const MIA_FIELDS: readonly Field<MiaPart>[] = [
  {
    path: 'mia.pool',
    url: 'pool',
    cli: 'mia-pool',
    type: { kind: 'int', min: 20, max: 60000 },
    label: 'pool',
    help: 'training images in the membership-inference pool (each model trains on about half)',
    default: d.pool,
  },
  {
    path: 'mia.shadows',
    url: 'sh',
    cli: 'mia-shadows',
    type: { kind: 'int', min: 3, max: 256 },
    label: 'shadow models',
    default: d.shadows,
  },
  {
    path: 'mia.seed',
    url: 'seed',
    cli: 'mia-seed',
    type: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
    label: 'seed',
    help: 'seed of the pool, the halves and the training',
    default: d.seed,
  },
  {
    path: 'mia.architecture',
    url: 'arch',
    cli: 'mia-arch',
    type: { kind: 'enum', values: Object.keys(ARCHITECTURES) },
    label: 'network',
    default: d.architecture,
  },
  {
    path: 'mia.epochs',
    url: 'ep',
    cli: 'mia-epochs',
    type: { kind: 'int', min: 1, max: 500 },
    label: 'epochs',
    help: 'training epochs of every model',
    default: d.epochs,
  },
  {
    path: 'mia.batchSize',
    url: 'bs',
    cli: 'mia-batch',
    type: { kind: 'int', min: 1, max: 1024 },
    label: 'batch size',
    default: d.batchSize,
  },
  {
    path: 'mia.learningRate',
    url: 'lr',
    cli: 'mia-lr',
    type: { kind: 'float', min: 1e-6, max: 1 },
    label: 'learning rate',
    help: "Adam's peak learning rate (one-cycle)",
    default: d.learningRate,
  },
  {
    path: 'mia.holdout',
    url: 'ho',
    cli: 'mia-holdout',
    type: { kind: 'int', min: 1, max: 10000 },
    label: 'holdout',
    help: 'test images that choose each checkpoint and measure test accuracy',
    default: d.holdout,
  },
  {
    path: 'mia.dpNoise',
    url: 'mdpz',
    cli: 'mia-dp-noise',
    type: { kind: 'float', min: 0, max: 100 },
    label: 'DP-SGD noise σ',
    help: 'train every model (the target and the shadows) with DP-SGD at this noise multiplier; 0: plain training',
    default: d.dpNoise,
  },
  {
    path: 'mia.dpClip',
    url: 'mdpc',
    cli: 'mia-dp-clip',
    type: { kind: 'float', min: 1e-6, max: 1e6 },
    label: 'DP-SGD clip C',
    help: "DP-SGD's bound on each example's gradient norm (with a noise multiplier above 0)",
    default: d.dpClip,
  },
];

/** The run's DP-SGD setting (sigma, C), or undefined for plain training. */
export function miaDp(m: Pick<MiaSettings, 'dpNoise' | 'dpClip'>): { sigma: number; clip: number } | undefined {
  return m.dpNoise > 0 ? { sigma: m.dpNoise, clip: m.dpClip } : undefined;
}
