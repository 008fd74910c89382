/**
 * The privacy lab: what a model and its gradients give away (membership inference, gradient leakage)
 * and what differential privacy (DP-SGD with its accountants) and secure aggregation buy. Its public
 * entry; the federated lab uses secure aggregation and DP-FedAvg through it.
 *
 *   algorithms/   one file per algorithm (+ test)
 *   experiment.ts the lab's slice (URL keys pv.*), composed of experiment/<part>.ts
 *   jobs.ts       worker jobs;  ui/  panels;  cli/  rlab commands
 */
import { PRIVACY_SLICE, clonePrivacyPart, defaultPrivacyPart, type PrivacyExperiment } from './experiment';

export { PRIVACY_SLICE, type PrivacyExperiment };

export const privacyLab = {
  id: 'privacy',
  title: 'Privacy',
  slice: PRIVACY_SLICE,
  defaults: defaultPrivacyPart,
  clone: clonePrivacyPart,
};

// secure aggregation (section 4): the federated lab runs FedAvg through it
export * from './algorithms/secagg/index';

// Section 1's accountants (RDP, RDP classic, PRV) and the inverse (noise multiplier for a target epsilon).
export {
  ACCOUNTANTS,
  PrivacyAccountant,
  epsilonSpent,
  isAccountantName,
  noiseMultiplierFor,
  stepsForEpochs,
  type AccountantName,
  type AccountantOptions,
  type NoiseMultiplierQuery,
  type PrivacySpent,
} from './algorithms/accountants/accountant';
export {
  DEFAULT_ORDERS,
  computeRdp,
  rdpEpsilon,
  rdpSampledGaussian,
  rdpToEpsilon,
  type MechanismRun,
  type RdpConversion,
} from './algorithms/accountants/rdp';
export { prvEpsilon, type PrvOptions } from './algorithms/accountants/prv';
// Section 1's DP-SGD (per-example gradients, the step and Poisson sampler) imports TensorFlow.js: it is
// not re-exported here (the page's main thread loads this entry); the worker and rlab import
// algorithms/per-example.ts and algorithms/dp-sgd.ts directly.

// the lab's lessons (src/labs/lessons.ts lists them) and the state its panels publish for them
export {
  PRIVACY_LESSONS,
  type LeakRunView,
  type MiaRunView,
  type PrivacyLesson,
  type PrivacyLessonState,
  type PrivacyLessonView,
} from './lessons/index';
