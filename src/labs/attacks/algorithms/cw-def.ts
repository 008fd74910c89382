/**
 * The declaration of cw.ts's attack (what the studio, the links, the CLI's help and the zoo table read):
 * free of TensorFlow.js, so that the page's main thread can read it; the run is in cw.ts, attached by registry.ts.
 */
import { defineAttack } from './definition';
import { inRange, invalid, isWhole } from '../../../core/adversarial/validate';
import type { SpecBase } from '../../../core/adversarial/types';

export interface CwSpec extends SpecBase {
  name: 'cw';
  norm?: 'l2';
  /**
   * 'cosine' (default): start in tanh space with a 0.01 margin from 0 and 1, distance to x, Adam with
   * a cosine-decayed learning rate; 'paper': the reference code's start (x * 0.999999), distance to the
   * reconstruction of x, constant learning rate. See cw.ts.
   */
  optimizer?: 'cosine' | 'paper';
  /** Adam iterations per value of c; default 100 ('paper': 1000; the paper's code: 10000 with early abort). */
  steps?: number;
  /** Default 9. */
  binarySearchSteps?: number;
  /** Initial trade-off constant c; default 1e-3 (Carlini & Wagner's code, Foolbox). */
  c0?: number;
  /** kappa; default 0. */
  confidence?: number;
  /** Adam learning rate (the start of the decay for 'cosine'); default 0.2 ('paper': 0.01). */
  lr?: number;
  /** Stop a binary-search step when the loss has not decreased by 0.01% over steps/10 iterations; default true. */
  abortEarly?: boolean;
}

/**
 * Every default filled in, except `optimizer`, which is present only when it is 'paper': a resolved
 * default spec stays valid for a registry that does not list the option (registry.ts re-resolves).
 */
export type ResolvedCw = Required<Omit<CwSpec, 'target' | 'seed' | 'optimizer'>> & Pick<CwSpec, 'target' | 'seed' | 'optimizer'>;

export function resolveCw(s: CwSpec): ResolvedCw {
  const optimizer = s.optimizer ?? 'cosine';
  if (optimizer !== 'cosine' && optimizer !== 'paper') invalid(`cw optimizer must be "cosine" or "paper", not "${String(optimizer)}"`);
  const paper = optimizer === 'paper';
  const r: ResolvedCw = {
    name: 'cw',
    norm: s.norm ?? 'l2',
    ...(paper ? { optimizer } : {}),
    steps: s.steps ?? (paper ? 1000 : 100),
    binarySearchSteps: s.binarySearchSteps ?? 9,
    c0: s.c0 ?? 1e-3,
    confidence: s.confidence ?? 0,
    lr: s.lr ?? (paper ? 0.01 : 0.2),
    abortEarly: s.abortEarly ?? true,
    seed: s.seed,
    target: s.target,
  };
  if (r.norm !== 'l2') invalid(`cw is an L2 attack, not "${String(r.norm)}"`);
  if (!isWhole(r.steps, 1, 100000)) invalid(`steps must be a whole number >= 1, got ${r.steps}`);
  if (!isWhole(r.binarySearchSteps, 1, 100))
    invalid(`binary search steps must be a whole number from 1 to 100, got ${r.binarySearchSteps}`);
  if (!(typeof r.c0 === 'number' && r.c0 > 0 && r.c0 <= 1e10)) invalid(`c must be in (0, 1e10], got ${r.c0}`);
  if (!inRange(r.confidence, 0, 1e4)) invalid(`confidence must be in [0, 10000], got ${r.confidence}`);
  if (!(typeof r.lr === 'number' && r.lr > 0 && r.lr <= 10)) invalid(`learning rate must be in (0, 10], got ${r.lr}`);
  return r;
}

export const cw = defineAttack<CwSpec>({
  name: 'cw',
  ownGradients: true,
  label: 'Carlini-Wagner L2',
  reference: 'Carlini & Wagner 2017',
  summary: 'the smallest L2 perturbation it can find: Adam on a tanh-space image, binary search on the constant c',
  norms: ['l2'],
  kind: 'minimisation',
  blackBox: false,
  targeted: true,
  params: ['steps', 'binarySearchSteps', 'c0', 'confidence', 'lr', 'optimizer', 'seed'],
  options: ['abortEarly'],
  fields: [
    {
      path: 'attack.optimizer',
      url: 'opt',
      cli: 'optimizer',
      type: { kind: 'enum', values: ['cosine', 'paper'] },
      label: 'optimizer',
      short: 'Optimizer',
      help: "cosine: Adam from a start with a margin and a cosine-decayed learning rate (strong in 50-100 steps); paper: the reference code's constant-rate Adam",
      default: 'cosine',
    },
    {
      path: 'attack.binarySearchSteps',
      url: 'bs',
      cli: 'binary-search',
      type: { kind: 'int', min: 1, max: 100 },
      label: 'binary-search steps',
      short: 'Binary-search steps',
      help: 'rounds of the binary search on the constant c',
      default: 9,
      slider: () => ({ min: 1, max: 15, step: 1 }),
    },
    {
      path: 'attack.c0',
      url: 'c',
      cli: 'c',
      type: { kind: 'float', min: 1e-10, max: 1e10 },
      label: 'initial constant c',
      short: 'Initial c',
      help: 'the first value of the trade-off constant c',
      default: 0.001,
    },
    {
      path: 'attack.confidence',
      url: 'kappa',
      cli: 'confidence',
      type: { kind: 'float', min: 0, max: 10000 },
      label: 'confidence',
      short: 'Confidence κ',
      help: 'the logit margin kappa the adversarial must reach',
      default: 0,
      slider: () => ({ min: 0, max: 50, step: 0.5 }),
    },
    {
      path: 'attack.lr',
      url: 'lr',
      cli: 'lr',
      type: { kind: 'float', min: 1e-6, max: 10 },
      label: 'learning rate',
      short: 'Learning rate',
      help: "Adam's learning rate (cosine: where its decay starts)",
      default: 0.2,
      slider: () => ({ min: 0.001, max: 0.5, step: 0.001 }),
    },
  ],
  // the cosine optimiser's 100 steps and lr 0.2 (the paper's optimiser: its code's 10000 steps cut to 1000, lr 0.01)
  sliders: { steps: { min: 1, max: 2000, step: 1 } },
  defaults: () => ({ steps: 100, binarySearchSteps: 9, c0: 0.001, confidence: 0, lr: 0.2, optimizer: 'cosine' }),
  json: (s) => ({
    steps: s.steps,
    step_size: null,
    random_start: false,
    restarts: 1,
    binary_search_steps: s.binarySearchSteps,
    c: s.c0,
    confidence: s.confidence,
    lr: s.lr,
    optimizer: s.optimizer ?? 'cosine',
  }),
  // 1000 steps per search step (the reference code's 10000 cut to keep the table to hours), on the first 100 images
  zooNote:
    'C&W-L2: 9 binary-search steps x 1000 Adam steps, c0 0.001, confidence 0, lr 0.01, on the first 100 images (its figures are fractions of those).',
  zooRows: ({ l2, seed }) => [
    {
      label: 'C&W-L2',
      norm: 'l2',
      eps: l2,
      budget: "9 x 1000 Adam steps (the paper's optimiser), c0 0.001, κ 0, lr 0.01, first 100 images",
      spec: { name: 'cw', optimizer: 'paper', steps: 1000, binarySearchSteps: 9, c0: 0.001, confidence: 0, lr: 0.01, seed },
      maxImages: 100,
    },
  ],
  resolve: resolveCw,
  expectedSteps: (s) => (s.steps ?? 1) * (s.binarySearchSteps ?? 1),
});
