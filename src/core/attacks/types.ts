import type * as tf from '@tensorflow/tfjs';

export type Norm = 'linf' | 'l2';

/** Options shared by the gradient attacks. Pixel values live in [0, 1]. */
export interface AttackOptions {
  norm: Norm;
  /** Radius of the allowed perturbation in the chosen norm. */
  eps: number;
  /** Gradient steps (FGSM: 1). */
  steps: number;
  /** Step size per iteration (FGSM: eps). */
  stepSize: number;
  /** Start from a uniform random point of the eps ball instead of the clean image. */
  randomStart: boolean;
  /** Independent runs from fresh random starts; an image counts as robust only if every run fails. */
  restarts: number;
  /** Seed for the random starts: the same seed gives the same adversarial images. */
  seed: number;
  /** Called after every step with the step number (1-based) and the mean loss of the batch. */
  onStep?: (step: number, meanLoss: number) => void;
  /** Aborts between steps; tensors are freed. */
  signal?: AbortSignal;
}

export interface AttackResult {
  /** Adversarial images, inside the eps ball around x and inside [0, 1]. Caller disposes. */
  adversarial: tf.Tensor4D;
  /** 1 where the attack changed the prediction away from the true label. */
  success: Uint8Array;
  /** Gradient evaluations used per image. */
  gradientEvaluations: number;
}

export class AttackCancelled extends Error {
  constructor() {
    super('attack cancelled');
    this.name = 'AttackCancelled';
  }
}
