/**
 * What the studio sets when the user picks another attack or data set. The values are the attacks'
 * own paper defaults, declared once beside each algorithm (`defaults` / `studioDefaults` of its
 * definition, read through the registry's `paperDefaults`); this file only decides when to apply them.
 * Links are not touched by this: a link carries its own values.
 */
import { isColour } from '../../core/experiment/core-settings';
import { paperDefaults } from './algorithms/registry';
import type { AttackSettings as AttackParams } from './experiment';

/** The settings of an attack when it is chosen, for the current budget and data set. */
export function attackPreset(name: string, current: AttackParams, dataset = 'mnist'): Partial<AttackParams> {
  return paperDefaults(name, { eps: current.eps, norm: current.norm, steps: current.steps, colour: isColour(dataset) }, true);
}

/**
 * eps (and the step size that goes with it) on a data set's usual scale when the user switches data
 * set: CIFAR-10's L-inf budget is 8/255 with 2/255 steps (Madry et al.), MNIST's 0.1 with 0.01. L2
 * settings are left alone. The attack's own step-size rule is applied on top (MI-FGSM's eps/10 step);
 * step counts and restarts stay as the user set them.
 */
export function datasetPreset(datasetId: string, current: AttackParams): Partial<AttackParams> {
  if (current.norm !== 'linf') return {};
  const colour = isColour(datasetId);
  const base = colour ? { eps: 8 / 255, stepSize: 2 / 255 } : { eps: 0.1, stepSize: 0.01 };
  const preset = paperDefaults(current.name, { eps: base.eps, norm: 'linf', steps: current.steps, colour }, true);
  return { ...base, ...(typeof preset.stepSize === 'number' ? { stepSize: preset.stepSize } : {}) };
}
