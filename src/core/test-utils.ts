/** Helpers for unit tests: small models with known weights, built without the file system. */
import * as tf from '@tensorflow/tfjs';
import type { Classifier } from './models/classifier';

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
