/** Helpers for unit tests: small models with known weights, built without the file system. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from './models/classifier';
import type { LabeledImages } from './data/types';
import { Rng } from './random';

/** A linear classifier z = W^T vec(x) + b on [h, w, c] inputs, as a LayersModel. */
export function linearModel(
  shape: [number, number, number],
  classes: number,
  seed = 1,
  activation: 'linear' | 'softmax' = 'linear',
): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape: shape }));
  m.add(
    tf.layers.dense({
      units: classes,
      activation,
      kernelInitializer: tf.initializers.randomNormal({ seed, stddev: 1 }),
      biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
    }),
  );
  return m;
}

export function classifierOf(m: tf.LayersModel): Classifier {
  const s = m.inputs[0].shape.slice(1) as [number, number, number];
  return { logits: (x) => m.apply(x) as tf.Tensor2D, inputShape: s, numClasses: m.outputs[0].shape[1] as number, outputKind: 'logits' };
}

export function randomImages(n: number, shape: [number, number, number], seed: number): tf.Tensor4D {
  return tf.randomUniform([n, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D;
}

/** A learnable toy task of n 28x28 images (training tests): the class (0..3) is the quadrant of the brightest 7x7 block. */
export function toyData(n: number, seed: number): LabeledImages {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(n * 784);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = rng.int(4);
    labels[i] = c;
    const r0 = c < 2 ? 3 : 17;
    const c0 = c % 2 === 0 ? 3 : 17;
    for (let p = 0; p < 784; p++) pixels[i * 784 + p] = rng.int(60);
    for (let r = r0; r < r0 + 7; r++) for (let k = c0; k < c0 + 7; k++) pixels[i * 784 + r * 28 + k] = 200 + rng.int(55);
  }
  return { n, shape: [28, 28, 1], pixels, labels };
}
