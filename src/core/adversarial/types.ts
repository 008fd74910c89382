import type * as tf from '@tensorflow/tfjs';

export type Norm = 'linf' | 'l2';

/** Options shared by the gradient attacks. Pixel values live in [0, 1]. */
export class AttackCancelled extends Error {
  constructor() {
    super('attack cancelled');
    this.name = 'AttackCancelled';
  }
}

/** A target class index, or the class the model finds least likely on the clean image (Kurakin et al. 2017). */
export type TargetSpec = number | 'least-likely';

export type AttackName = 'fgsm' | 'bim' | 'pgd' | 'mifgsm' | 'apgd-ce' | 'cw' | 'deepfool' | 'square';

/** Options every attack accepts. `target` present = targeted attack (only where the paper defines one). */
interface SpecBase {
  /** Seed of every random choice the attack makes: the same seed gives the same adversarial images. */
  seed?: number;
  target?: TargetSpec;
}

export interface FgsmSpec extends SpecBase {
  name: 'fgsm';
  norm?: 'linf';
  eps: number;
  randomStart?: boolean;
}

export interface BimSpec extends SpecBase {
  name: 'bim';
  norm?: 'linf';
  eps: number;
  /** Default (Kurakin et al.): min(255 eps + 4, 1.25 * 255 eps), at least 1. */
  steps?: number;
  /** Default (Kurakin et al.): 1/255. */
  stepSize?: number;
}

export interface PgdSpec extends SpecBase {
  name: 'pgd';
  norm?: Norm;
  eps: number;
  /** Default 40. */
  steps?: number;
  /** Default: 0.01 (L-inf), 2.5 eps / steps (L2). */
  stepSize?: number;
  /** Default true. */
  randomStart?: boolean;
  /** Default 1. */
  restarts?: number;
}

export interface MifgsmSpec extends SpecBase {
  name: 'mifgsm';
  norm?: Norm;
  eps: number;
  /** Default 10 (Dong et al.). */
  steps?: number;
  /** Default eps / steps (Dong et al.). */
  stepSize?: number;
  /** Decay factor mu of the momentum; default 1.0. */
  momentum?: number;
}

export interface ApgdSpec extends SpecBase {
  name: 'apgd-ce';
  norm?: Norm;
  eps: number;
  /** Iterations N_iter; default 100. */
  steps?: number;
  /** Default 1 (no restarts, as in AutoAttack's standard version). */
  restarts?: number;
  /** Default true, the AutoAttack initialisation. */
  randomStart?: boolean;
}

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

export interface DeepFoolSpec extends SpecBase {
  name: 'deepfool';
  norm?: 'l2';
  /** Maximum iterations; default 50. */
  steps?: number;
  /** Default 0.02. */
  overshoot?: number;
}

export interface SquareSpec extends SpecBase {
  name: 'square';
  norm?: Norm;
  eps: number;
  /** Query budget per image (the initial query included); default 5000. */
  queries?: number;
  /** Initial fraction of pixels changed per query; default 0.8 (AutoAttack, ART, torchattacks). */
  pInit?: number;
}

export type AttackSpec = FgsmSpec | BimSpec | PgdSpec | MifgsmSpec | ApgdSpec | CwSpec | DeepFoolSpec | SquareSpec;

/** The state of every image at one iterate of an attack (index i = image i of the batch). */
export interface TraceRecord {
  /** Iterate number: 0 = starting point; numbering continues across restarts and binary-search steps. */
  step: number;
  /** Restart (PGD, APGD) or binary-search step (C&W), from 0. */
  restart: number;
  /** The attack's own objective at this iterate (see each attack's file). */
  loss: Float32Array;
  /** Softmax probability of the true label. */
  trueProb: Float32Array;
  /** Most likely class other than the true label, and its probability. */
  topOtherClass: Int32Array;
  topOtherProb: Float32Array;
  /** Logit margin z_true - max_{k != true} z_k: negative = misclassified. */
  margin: Float32Array;
}

export interface AttackHooks {
  /** Called for every trace record as soon as it exists. */
  onStep?: (record: TraceRecord) => void;
  /** Checked before every step: an aborted signal stops the attack with AttackCancelled, all tensors freed. */
  signal?: AbortSignal;
  /** Keep the per-step trace in the outcome (default true); evaluation over many images turns it off. */
  keepTrace?: boolean;
}

export interface AttackOutcome {
  /**
   * Adversarial images, always inside [0, 1]; for eps-bounded attacks inside the eps ball around x.
   * For minimisation attacks (C&W, DeepFool) the smallest adversarial found, or x itself where the
   * attack failed. Caller disposes.
   */
  adversarial: tf.Tensor4D;
  /** 1 where the attack reached its goal: untargeted = misclassified; targeted = classified as the target (never when the target is the true label). */
  success: Uint8Array;
  /** 1 where the prediction on the adversarial image differs from the true label. */
  fooled: Uint8Array;
  /** Predicted class of every adversarial image. */
  predictions: Int32Array;
  /** Target class per image of a targeted attack; null when untargeted. */
  targets: Int32Array | null;
  /** Size of adversarial - x per image. l0 counts components that changed by more than 1e-7. */
  norms: { l0: Float32Array; l2: Float32Array; linf: Float32Array };
  /** Gradient evaluations spent on the image that needed the most (0 for Square). */
  gradientEvaluations: number;
  /** Forward evaluations (queries) of the classifier per image, gradient evaluations included. */
  queries: Int32Array;
  /** One record per iterate (empty when hooks.keepTrace is false). */
  trace: TraceRecord[];
  /**
   * An attack made of stages run one after another on the images still robust (AutoAttack) reports
   * each: images it attacked and fooled, its seconds. Evaluation sums them over batches.
   */
  stages?: { stage: string; attacked: number; fooled: number; seconds: number }[];
}
