/**
 * The declaration of deepfool.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in deepfool.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { inRange, invalid, isWhole } from '../../../core/adversarial/validate';
import type { SpecBase } from '../../../core/adversarial/types';

export interface DeepFoolSpec extends SpecBase {
  name: 'deepfool';
  norm?: 'l2';
  /** Maximum iterations; default 50. */
  steps?: number;
  /** Default 0.02. */
  overshoot?: number;
}

export type ResolvedDeepFool = Required<Omit<DeepFoolSpec, 'target' | 'seed'>> & Pick<DeepFoolSpec, 'target' | 'seed'>;

export function resolveDeepFool(s: DeepFoolSpec): ResolvedDeepFool {
  const r: ResolvedDeepFool = {
    name: 'deepfool',
    norm: s.norm ?? 'l2',
    steps: s.steps ?? 50,
    overshoot: s.overshoot ?? 0.02,
    seed: s.seed,
    target: s.target,
  };
  if (r.norm !== 'l2') invalid(`deepfool is an L2 attack here, not "${String(r.norm)}"`);
  if (r.target !== undefined) invalid('deepfool has no targeted variant');
  if (!isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if (!inRange(r.overshoot, 0, 10)) invalid(`overshoot must be in [0, 10], got ${r.overshoot}`);
  return r;
}

export const deepfool = defineAttack<DeepFoolSpec>({
  name: 'deepfool',
  ownGradients: true,
  label: 'DeepFool',
  reference: 'Moosavi-Dezfooli, Fawzi, Frossard 2016',
  summary: 'steps to the nearest linearised decision boundary until the label flips (a small L2 perturbation)',
  norms: ['l2'],
  kind: 'minimisation',
  blackBox: false,
  targeted: false,
  params: ['steps', 'overshoot', 'seed'],
  fields: [
    {
      path: 'attack.overshoot',
      url: 'os',
      cli: 'overshoot',
      type: { kind: 'float', min: 0, max: 10 },
      label: 'overshoot',
      short: 'Overshoot',
      help: 'how far past the boundary the final step goes (0.02 in the paper)',
      default: 0.02,
      slider: () => ({ min: 0, max: 0.5, step: 0.01 }),
    },
  ],
  defaults: () => ({ steps: 50, overshoot: 0.02 }),
  json: (s) => ({ steps: s.steps, step_size: null, random_start: false, restarts: 1, overshoot: s.overshoot }),
  zooNote: 'DeepFool-50: at most 50 iterations, overshoot 0.02.',
  zooRows: ({ l2, seed }) => [
    {
      label: 'DeepFool-50',
      norm: 'l2',
      eps: l2,
      budget: '50 iterations, overshoot 0.02',
      spec: { name: 'deepfool', steps: 50, overshoot: 0.02, seed },
    },
  ],
  resolve: resolveDeepFool,
  expectedSteps: (s) => s.steps ?? 1,
  steppable: true,
});
