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
];

export const defaultCertify = (): CertifySettings => ({ sigma: 0.25, samples0: 100, samples: 10000, alpha: 0.001 });
