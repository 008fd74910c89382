/** The model card stored beside every zoo model (models/<id>/card.json). */
/** The spec of a card's attack, in the attack library's terms (the attacks lab's AttackSpec). */
export type CardAttackSpec = {
  name: 'fgsm' | 'pgd';
  norm: 'linf';
  eps: number;
  steps?: number;
  stepSize?: number;
  randomStart: boolean;
  restarts?: number;
  seed: number;
};

export interface RobustAccuracyEntry {
  attack: 'fgsm' | 'pgd';
  norm: 'linf';
  eps: number;
  steps: number;
  stepSize: number;
  randomStart: boolean;
  restarts: number;
  seed: number;
  n: number;
  accuracy: number;
  /** The command that reproduces this figure. */
  command: string;
}

/** Certified L2 accuracy of the model smoothed with Gaussian noise (randomized smoothing, `rlab certify`). */
export interface CertifiedAccuracyEntry {
  method: 'randomized-smoothing';
  sigma: number;
  /** Test images (the first n of the test set). */
  n: number;
  samples0: number;
  samples: number;
  alpha: number;
  seed: number;
  /** Certified accuracy by radius ("0.0", "0.25", ...). */
  byRadius: Record<string, number>;
  /** Fraction of the images on which CERTIFY abstained. */
  abstain: number;
  /** The command that reproduces these figures. */
  command: string;
}

/** Differential privacy of a DP-SGD model: its mechanism's settings and the epsilon each accountant gives. */
export interface PrivacyEntry {
  method: 'dp-sgd';
  noiseMultiplier: number;
  clip: number;
  sampleRate: number;
  /** Opacus's divisor: int(N q). */
  expectedBatchSize: number;
  /** Noisy steps taken (epochs x floor(1 / q)). */
  steps: number;
  delta: number;
  /** Epsilon at delta under each accountant (RDP: with the order that attains it), each with its command. */
  epsilon: { accountant: string; epsilon: number; order?: number; command: string }[];
}

export interface ModelCard {
  schema: 1;
  id: string;
  dataset: string;
  inputShape: [number, number, number];
  classNames: string[];
  output: 'logits';
  architecture: string;
  layers: string;
  parameters: number;
  recipe: string;
  training: string;
  command: string;
  seed: number;
  epochs: number;
  selectedEpoch: number;
  trainingSeconds: number;
  backend: string;
  tfjsVersion: string;
  cleanAccuracy: { n: number; accuracy: number; command: string };
  robustAccuracy: RobustAccuracyEntry[];
  /** Randomized-smoothing certificates (the mnist-cnn-smooth-* models). */
  certifiedAccuracy?: CertifiedAccuracyEntry[];
  /** Differential privacy (the DP-SGD models). */
  privacy?: PrivacyEntry;
  weights: { path: string; sha256: string; bytes: number }[];
  notes: string[];
}

export function isModelCard(v: unknown): v is ModelCard {
  const c = v as ModelCard;
  return (
    typeof c === 'object' &&
    c !== null &&
    c.schema === 1 &&
    typeof c.id === 'string' &&
    typeof c.dataset === 'string' &&
    Array.isArray(c.inputShape) &&
    Array.isArray(c.classNames) &&
    Array.isArray(c.weights) &&
    c.weights.every((w) => typeof w.path === 'string' && /^[0-9a-f]{64}$/.test(w.sha256))
  );
}

/** The attack a card's robust-accuracy entry was measured with, as the attack library's spec. */
export function robustEntrySpec(e: Pick<RobustAccuracyEntry, 'attack' | 'eps' | 'steps' | 'stepSize' | 'randomStart' | 'restarts' | 'seed'>): CardAttackSpec {
  return e.attack === 'fgsm'
    ? { name: 'fgsm', norm: 'linf', eps: e.eps, randomStart: e.randomStart, seed: e.seed }
    : { name: 'pgd', norm: 'linf', eps: e.eps, steps: e.steps, stepSize: e.stepSize, randomStart: e.randomStart, restarts: e.restarts, seed: e.seed };
}
