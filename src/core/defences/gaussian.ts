/**
 * Gaussian noise: x + N(0, sigma^2) per value, clipped to [0, 1], a new draw at every call (the
 * randomised input transformation that EOT, Athalye et al. 2018, averages over). The draws come from
 * the defended classifier's seeded generator, so a run repeats exactly for a seed while every call
 * still sees new noise. TensorFlow.js's gradient passes through the addition and is zero where the
 * clip is active.
 */
import * as tf from '@tensorflow/tfjs';
import { checkTransformParam } from './params';
import type { InputTransform } from './transform';

export function gaussian(sigma: number): InputTransform {
  checkTransformParam('gaussian', sigma);
  return {
    kind: 'gaussian',
    param: sigma,
    randomised: true,
    differentiable: true,
    apply: (x, rng) =>
      tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomNormal(x.shape, 0, sigma, 'float32', rng.seed())), 0, 1) as tf.Tensor4D),
  };
}
