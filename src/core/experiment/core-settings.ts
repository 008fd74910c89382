/**
 * The settings every lab shares: the data set, the model, the test image, the compute backend. They
 * are the core slice of the experiment description (unprefixed URL keys: ds, model, i, backend).
 */
import { DATASETS } from '../data/datasets';
import type { Slice } from './codec';

export type BackendChoice = 'auto' | 'webgpu' | 'webgl' | 'wasm';
export type Norm = 'linf' | 'l2';

export interface CoreSettings {
  dataset: string;
  model: string;
  /** Index into the official test file of the data set. */
  sample: number;
  backend: BackendChoice;
  /** The lab whose panels the shell shows (a lab id of src/labs/index.ts). */
  lab: string;
}

export const DEFAULT_CORE: CoreSettings = { dataset: 'mnist', model: 'mnist-cnn', sample: 0, backend: 'auto', lab: 'attacks' };

/** Largest L2 distance between two images of this shape with pixels in [0, 1]: sqrt(H * W * C). */
export function maxL2Distance(shape: readonly number[]): number {
  return Math.sqrt(shape.reduce((p, v) => p * v, 1));
}

/**
 * Largest meaningful radius of a perturbation in a norm: 1 for L-inf (pixels live in [0, 1]); for L2
 * sqrt(H * W * C) of the data set (28 for MNIST, 55.4 for CIFAR-10), beyond which every image is
 * reachable. For an unknown data set, the largest over the registry.
 */
export function maxEps(norm: Norm, datasetId: string): number {
  if (norm === 'linf') return 1;
  const info = DATASETS[datasetId];
  const shapes = info ? [info.shape] : Object.values(DATASETS).map((d) => d.shape);
  return Math.max(...shapes.map(maxL2Distance));
}

/** Size of a data set's test split (the registry's official size; the largest when unknown). */
export function testSize(datasetId: string): number {
  return DATASETS[datasetId]?.sizes.test ?? Math.max(...Object.values(DATASETS).map((d) => d.sizes.test));
}

/** True for colour data sets (CIFAR-10), whose L-inf budgets are written in /255. */
export function isColour(datasetId: string): boolean {
  return DATASETS[datasetId]?.shape[2] === 3;
}

/** The core slice: its fields are decoded first (the data set bounds the labs' ranges). */
export function coreSlice<E extends CoreSettings>(): Slice<E> {
  return {
    prefix: '',
    version: 1,
    fields: [
      { path: 'dataset', url: 'ds', cli: 'dataset', type: { kind: 'id' }, label: 'data set', default: DEFAULT_CORE.dataset },
      { path: 'model', url: 'model', cli: 'model', type: { kind: 'id' }, label: 'model', default: DEFAULT_CORE.model },
      {
        path: 'sample',
        url: 'i',
        cli: 'sample',
        type: { kind: 'int', min: 0, max: 9_999_999 },
        label: 'test image',
        default: DEFAULT_CORE.sample,
      },
      {
        path: 'backend',
        url: 'backend',
        cli: 'backend',
        type: { kind: 'enum', values: ['auto', 'webgpu', 'webgl', 'wasm'] },
        label: 'backend',
        default: DEFAULT_CORE.backend,
      },
      {
        path: 'lab',
        url: 'lab',
        cli: 'lab',
        type: { kind: 'id' },
        label: 'lab',
        help: 'the lab the page opens on',
        default: DEFAULT_CORE.lab,
      },
    ],
  };
}
