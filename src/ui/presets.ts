/**
 * Settings the studio applies when the user picks another attack: each paper's (or its reference
 * implementation's) defaults, scaled to the current eps where the paper does so. Links are not
 * touched by this: a link carries its own values.
 */
import type { AttackName, AttackParams } from '../core/experiment';

const round = (v: number, digits = 4) => Number(v.toFixed(digits));

export function attackPreset(name: AttackName, current: AttackParams): Partial<AttackParams> {
  const eps = current.eps;
  switch (name) {
    case 'none':
    case 'fgsm':
      return {};
    case 'bim': {
      // Kurakin et al. 2017: alpha = 1/255, steps = min(255 eps + 4, 1.25 * 255 eps)
      const steps = Math.max(1, Math.round(Math.min(255 * eps + 4, 1.25 * 255 * eps)));
      return { steps, stepSize: round(1 / 255) };
    }
    case 'pgd':
      return { steps: 40, stepSize: current.norm === 'l2' ? Math.max(1e-4, round((2.5 * eps) / 40)) : 0.01, restarts: 1 };
    case 'mifgsm':
      return { steps: 10, stepSize: Math.max(1e-4, round(eps / 10)), momentum: 1 };
    case 'apgd-ce':
      return { steps: 100, restarts: 1 };
    case 'cw':
      // the reference code's 10000 steps per c cut to 1000 (early abort ends hopeless values of c sooner)
      return { steps: 1000, binarySearchSteps: 9, c: 0.001, confidence: 0, lr: 0.01 };
    case 'deepfool':
      return { steps: 50, overshoot: 0.02 };
    case 'square':
      // the paper's budget is 10000; 1000 keeps a single image interactive on a slow GPU
      return { queries: 1000, pInit: 0.8 };
  }
}

/**
 * eps (and the step size that goes with it) on a data set's usual scale when the user switches data
 * set: CIFAR-10's L-inf budget is 8/255 with 2/255 steps (Madry et al.), MNIST's 0.1 with 0.01. L2
 * settings are left alone. The attack's own preset is applied on top (e.g. MI-FGSM's eps/10 step).
 */
export function datasetPreset(datasetId: string, current: AttackParams): Partial<AttackParams> {
  if (current.norm !== 'linf') return {};
  const base = datasetId === 'cifar10' ? { eps: 8 / 255, stepSize: 2 / 255 } : { eps: 0.1, stepSize: 0.01 };
  const preset = attackPreset(current.name, { ...current, ...base });
  // only the step-size rules of the attack presets; their step counts and restarts stay as the user set them
  return { ...base, ...(preset.stepSize !== undefined && current.name !== 'pgd' ? { stepSize: preset.stepSize } : {}) };
}
