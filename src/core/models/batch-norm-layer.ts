/**
 * TensorFlow.js's BatchNormalization layer, trained through the engine's closed-form gradient
 * (engine/batch-norm.ts). It is the stock class underneath: inference, weights, config and the saved
 * class name ("BatchNormalization") are the stock layer's, so a saved model loads in any TensorFlow.js
 * (or Keras) without this file. Only a training-mode call with channels-last statistics, scale and
 * centre (the zoo's use) takes the fused path; anything else is the stock call.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormTraining } from '../engine/batch-norm';

type StockBatchNormalization = ReturnType<typeof tf.layers.batchNormalization>;
type BatchNormArgs = Parameters<typeof tf.layers.batchNormalization>[0];

/** The stock layer's fields the training call reads (private in its typings). */
interface Internals {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: tf.LayerVariable;
  beta: tf.LayerVariable;
  movingMean: tf.LayerVariable;
  movingVariance: tf.LayerVariable;
}

type Constructor = new (args?: BatchNormArgs) => StockBatchNormalization;

/**
 * The subclass, made on first use: the stock class is only reachable through an instance, and making
 * one takes a layer name, which should not happen merely because this module was imported.
 */
let fused: Constructor | null = null;
function fusedClass(): Constructor {
  if (fused) return fused;
  const Stock = tf.layers.batchNormalization().constructor as Constructor;
  fused = class FusedTrainingBatchNormalization extends Stock {
    // the inherited static className ("BatchNormalization") is what a saved model names
    override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor | tf.Tensor[] {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const self = this as unknown as Internals;
      const channelsLast = self.axis === -1 || self.axis === x.rank - 1;
      if (kwargs.training !== true || !channelsLast || !self.center || !self.scale) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const { y, mean, variance } = batchNormTraining(x, self.gamma.read() as tf.Tensor1D, self.beta.read() as tf.Tensor1D, self.epsilon);
        // the stock layer's moving averages: v <- v - (v - batch value) (1 - momentum)
        for (const [v, value] of [
          [self.movingMean, mean],
          [self.movingVariance, variance],
        ] as const) {
          const old = v.read();
          v.write(tf.sub(old, tf.mul(tf.sub(old, value), 1 - self.momentum)));
        }
        return y;
      });
    }
  };
  return fused;
}

/** A BatchNormalization layer (same arguments as tf.layers.batchNormalization) that trains faster. */
export function batchNormalization(args?: BatchNormArgs): StockBatchNormalization {
  return new (fusedClass())(args);
}
