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

/** Options every attack accepts. `target` present = targeted attack (only where the paper defines one). */
export interface SpecBase {
  /** Seed of every random choice the attack makes: the same seed gives the same adversarial images. */
  seed?: number;
  target?: TargetSpec;
}

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
