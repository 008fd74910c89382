/**
 * What a DP-SGD run in the tab will do, worked out before it runs (free of TensorFlow.js: the panel and
 * the worker both read it): the sample rate q = expected batch / training images, floor(1 / q) steps an
 * epoch, the expected batch Opacus divides by (int(N q)), the noise multiplier (given, or the inverse
 * accountant's for a target epsilon over the run's steps, Opacus's get_noise_multiplier), and the card's
 * privacy entry: epsilon at delta under every accountant, each with the `rlab privacy-budget` command
 * that reproduces it (the zoo cards' convention, src/cli/commands/train.ts).
 */
import type { PrivacyEntry } from '../../core/models/card';
import { ACCOUNTANTS, epsilonSpent, noiseMultiplierFor } from './algorithms/accountants/accountant';
import { expectedBatchSize, poissonSteps } from './algorithms/dp-counts';
import type { DpSettings } from './experiment/dp';

/** The key of the DP-SGD run in the store of runs in progress (the defences lab's, beside the Train panel's 'current'). */
export const DP_RUN = 'dp-sgd';

export interface DpPlan {
  sampleRate: number;
  stepsPerEpoch: number;
  totalSteps: number;
  /** Opacus's divisor int(N q). */
  expectedBatch: number;
  noiseMultiplier: number;
  /** Epsilon of the whole run at delta under the chosen accountant. */
  epsilon: number;
}

/** The first problem with a run's settings against the training split's size, in one sentence; null when none. */
export function checkDpSettings(s: DpSettings, trainN: number): string | null {
  if (s.slice > trainN) return `${s.slice} training images asked for, but the training file has ${trainN}`;
  if (s.batch > s.slice)
    return `the expected batch (${s.batch}) cannot exceed the training images (${s.slice}): the sample rate would be above 1`;
  if (s.delta >= 1 / s.slice)
    return `δ = ${s.delta} is not below 1 / ${s.slice} training images: such a δ lets a mechanism publish whole examples; choose a smaller δ`;
  return null;
}

/** The run's counts and noise multiplier (the inverse accountant's when the noise is set by a target epsilon). */
export function dpPlan(s: DpSettings): DpPlan {
  const sampleRate = s.batch / s.slice;
  const stepsPerEpoch = poissonSteps(sampleRate);
  const totalSteps = stepsPerEpoch * s.epochs;
  const noiseMultiplier =
    s.noise === 'sigma'
      ? s.sigma
      : noiseMultiplierFor({ targetEpsilon: s.target, delta: s.delta, sampleRate, steps: totalSteps, accountant: s.accountant })
          .noiseMultiplier;
  const epsilon = epsilonSpent(s.accountant, [{ noiseMultiplier, sampleRate, steps: totalSteps }], s.delta).epsilon;
  return { sampleRate, stepsPerEpoch, totalSteps, expectedBatch: expectedBatchSize(s.slice, sampleRate), noiseMultiplier, epsilon };
}

/** The card's privacy entry for `steps` noisy steps: epsilon at delta under every accountant, with its command. */
export function privacyEntry(p: {
  noiseMultiplier: number;
  clip: number;
  sampleRate: number;
  expectedBatch: number;
  steps: number;
  delta: number;
}): PrivacyEntry {
  const run = { noiseMultiplier: p.noiseMultiplier, sampleRate: p.sampleRate, steps: p.steps };
  return {
    method: 'dp-sgd',
    noiseMultiplier: p.noiseMultiplier,
    clip: p.clip,
    sampleRate: p.sampleRate,
    expectedBatchSize: p.expectedBatch,
    steps: p.steps,
    delta: p.delta,
    epsilon: ACCOUNTANTS.map((a) => {
      const spent = epsilonSpent(a, [run], p.delta);
      return {
        accountant: a,
        epsilon: spent.epsilon,
        ...(spent.order !== undefined && { order: spent.order }),
        command: `npm run --silent rlab -- privacy-budget --sample-rate ${p.sampleRate} --noise-multiplier ${p.noiseMultiplier} --steps ${p.steps} --delta ${p.delta} --accountant ${a} --json`,
      };
    }),
  };
}
