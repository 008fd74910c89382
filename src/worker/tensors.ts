/** Small tensor helpers the worker's jobs share (inputs from test images or pictures, predictions). */
import * as tf from '@tensorflow/tfjs';
import { imagesAsFloats } from '../core/data/datasets';
import type { LabeledImages } from '../core/data/types';
import type { LoadedModel } from '../core/models/io';

export function sampleTensor(split: LabeledImages, sample: number): tf.Tensor4D {
  if (!Number.isInteger(sample) || sample < 0 || sample >= split.n) throw new Error(`test image ${sample} is outside 0..${split.n - 1}`);
  return tf.tensor4d(imagesAsFloats(split, sample, 1), [1, ...split.shape]);
}

/** A picture of the user's as a batch of one, checked against the model's input shape. */
export function imageTensor(pixels: Uint8Array, model: LoadedModel): tf.Tensor4D {
  const shape = model.classifier.inputShape;
  if (pixels.length !== shape[0] * shape[1] * shape[2]) {
    throw new Error(`the picture has ${pixels.length} values but the model takes ${shape.join('x')} images`);
  }
  return tf.tensor4d(
    Float32Array.from(pixels, (v) => v / 255),
    [1, ...shape],
  );
}

export async function probabilities(model: LoadedModel, x: tf.Tensor4D): Promise<number[]> {
  const p = tf.tidy(() => tf.softmax(model.classifier.logits(x)));
  try {
    return Array.from(await p.data());
  } finally {
    p.dispose();
  }
}

/** Predicted class of every image of a batch. */
export async function predictBatch(model: LoadedModel, x: tf.Tensor4D): Promise<Int32Array> {
  const p = tf.tidy(() => tf.argMax(model.classifier.logits(x), 1));
  try {
    return Int32Array.from(await p.data());
  } finally {
    p.dispose();
  }
}

export const argmax = (v: number[]) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);
