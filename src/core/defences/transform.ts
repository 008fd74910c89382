/**
 * The shape every input transformation of src/core/defences shares: a map from a batch of images in
 * [0, 1] (N x H x W x C) to a batch of the same shape, also in [0, 1].
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random';

export type TransformKind = 'bit-depth' | 'median' | 'jpeg' | 'gaussian';

export interface InputTransform {
  kind: TransformKind;
  /** Its one parameter: bits, window size k, JPEG quality, noise sigma. */
  param: number;
  /** A new random draw at every call (Gaussian noise). */
  randomised: boolean;
  /**
   * Whether TensorFlow.js can differentiate it at all. JPEG is computed on the CPU by a codec, so no
   * gradient path leads through it (bit-depth reduction has one, zero almost everywhere).
   */
  differentiable: boolean;
  /** The transformed batch (a new tensor; x is not disposed). rng: the source of random draws. */
  apply(x: tf.Tensor4D, rng: Rng): tf.Tensor4D;
}
