/** Composition of input transformations, applied in the order given (the spec's comma-joined order). */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random';
import type { InputTransform } from './transform';

export interface Composed {
  transforms: readonly InputTransform[];
  randomised: boolean;
  /** False when any part has no gradient path in TensorFlow.js (JPEG). */
  differentiable: boolean;
  apply(x: tf.Tensor4D, rng: Rng): tf.Tensor4D;
}

export function compose(transforms: readonly InputTransform[]): Composed {
  return {
    transforms,
    randomised: transforms.some((t) => t.randomised),
    differentiable: transforms.every((t) => t.differentiable),
    apply: (x, rng) =>
      tf.tidy(() => {
        let y = x;
        for (const t of transforms) y = t.apply(y, rng);
        return y === x ? (tf.clone(x) as tf.Tensor4D) : y;
      }),
  };
}
