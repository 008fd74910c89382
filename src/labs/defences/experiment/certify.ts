/**
 * Randomized smoothing's part of the defences lab's slice (`def.*` URL keys): the certification
 * settings of Cohen, Rosenfeld & Kolter (2019).
 */
import type { Field } from '../../../core/experiment/fields';

export interface CertifySettings {
  /** Standard deviation of the Gaussian noise. */
  sigma: number;
  /** Selection samples (n0). */
  samples0: number;
  /** Estimation samples (n). */
  samples: number;
  /** Failure probability of the certificate. */
  alpha: number;
  /** Test images certified (N). */
  images: number;
  /** Index of the first test image. */
  start: number;
  /** Noisy copies per forward pass. */
  batch: number;
  /** Seed of the noise (each image's stream is drawn from it and the image's index). */
  seed: number;
  /** Radii of the certified-accuracy curve. */
  radii: number[];
  /** PGD-L2 steps of the empirical attack on the smoothed classifier (0: no attack). */
  attackSteps: number;
  /** Noise draws per step of that attack (expectation over transformation). */
  attackSamples: number;
}

export interface CertifyPart {
  certify: CertifySettings;
}

export const CERTIFY_FIELDS: readonly Field<CertifyPart>[] = [
  {
    path: 'certify.sigma',
    url: 'sigma',
    cli: 'sigma',
    type: { kind: 'float', min: 0.001, max: 10 },
    label: 'noise sigma',
    help: 'standard deviation of the Gaussian noise of the smoothed classifier',
    default: 0.25,
  },
  {
    path: 'certify.samples0',
    url: 'n0',
    cli: 'samples0',
    type: { kind: 'int', min: 1, max: 1000000 },
    label: 'selection samples',
    help: 'noisy samples that choose the top class (n0)',
    default: 100,
  },
  {
    path: 'certify.samples',
    url: 'n',
    cli: 'samples',
    type: { kind: 'int', min: 1, max: 10000000 },
    label: 'estimation samples',
    help: 'noisy samples that bound its probability (n)',
    default: 10000,
  },
  {
    path: 'certify.alpha',
    url: 'alpha',
    cli: 'alpha',
    type: { kind: 'float', min: 1e-12, max: 0.5 },
    label: 'alpha',
    help: 'failure probability of the certificate',
    default: 0.001,
  },
  {
    path: 'certify.images',
    url: 'ni',
    cli: 'n',
    type: { kind: 'int', min: 1, max: 10000 },
    label: 'test images',
    help: 'test images certified, from --start',
    default: 100,
  },
  {
    path: 'certify.start',
    url: 'i0',
    cli: 'start',
    type: { kind: 'int', min: 0, max: 59999 },
    label: 'first image',
    help: 'index of the first test image',
    default: 0,
  },
  {
    path: 'certify.batch',
    url: 'b',
    cli: 'batch',
    type: { kind: 'int', min: 1, max: 100000 },
    label: 'batch',
    help: 'noisy copies per forward pass',
    default: 1000,
  },
  {
    path: 'certify.seed',
    url: 'seed',
    // the attacks lab has --seed: `rlab certify` reads this field as --seed (cli/certify.ts)
    cli: 'seed',
    type: { kind: 'int', min: 0, max: 2147483647 },
    label: 'seed',
    help: 'seed of the noise (each image draws from the seed and its index)',
    default: 0,
  },
  {
    path: 'certify.radii',
    url: 'r',
    cli: 'radii',
    type: { kind: 'floatList', min: 0, max: 100, minItems: 1, maxItems: 32 },
    label: 'radii',
    help: 'L2 radii of the certified-accuracy curve',
    default: [0, 0.25, 0.5, 0.75, 1],
  },
  {
    path: 'certify.attackSteps',
    url: 'as',
    cli: 'attack-steps',
    type: { kind: 'int', min: 0, max: 1000 },
    label: 'PGD-L2 steps',
    help: 'steps of the PGD-L2 attack on the smoothed classifier (0: none)',
    default: 20,
  },
  {
    path: 'certify.attackSamples',
    url: 'ak',
    cli: 'attack-samples',
    type: { kind: 'int', min: 1, max: 1000 },
    label: 'noise draws per step',
    help: 'noise draws averaged per step of that attack (EOT, as SmoothAdv)',
    default: 8,
  },
];

export const defaultCertify = (): CertifySettings => ({
  sigma: 0.25,
  samples0: 100,
  samples: 10000,
  alpha: 0.001,
  images: 100,
  start: 0,
  batch: 1000,
  seed: 0,
  radii: [0, 0.25, 0.5, 0.75, 1],
  attackSteps: 20,
  attackSamples: 8,
});
