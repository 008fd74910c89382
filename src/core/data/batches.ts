/**
 * Batches of a split for training and evaluation: views of a split and batches as tensors (with the
 * training loop's optional augmentation). Shared by core/train, core/eval and the CLI.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../random';
import type { LabeledImages } from './types';

/** Data augmentation of training images, drawn from the recipe's seed. */
export interface Augmentation {
  /** Random crop after zero-padding each side by this many pixels (0: none). */
  padCrop: number;
  /** Random horizontal flip with probability 1/2. */
  flip: boolean;
  /**
   * Standard deviation of Gaussian noise added to every pixel (in [0, 1] units) after crop and flip,
   * not clipped: the training of randomized smoothing's base classifiers (Cohen, Rosenfeld & Kolter
   * 2019, `inputs + randn_like(inputs) * noise_sd` in their train.py). 0 or absent: none.
   */
  gaussianNoise?: number;
}

/** A view of the first or last images of a split. */
export function sliceSplit(split: LabeledImages, start: number, end: number): LabeledImages {
  const size = split.shape[0] * split.shape[1] * split.shape[2];
  return {
    n: end - start,
    shape: split.shape,
    pixels: split.pixels.subarray(start * size, end * size),
    labels: split.labels.subarray(start, end),
  };
}

/**
 * A batch as tensors (pixels / 255). With `augment`, each image is shifted by a random crop of the
 * zero-padded image (offsets uniform in [-padCrop, padCrop]) and flipped left-right with probability
 * 1/2, all drawn from `rng` in image order; with `augment.gaussianNoise`, Gaussian noise is then added
 * to every pixel (seeded from `rng` after the crops and flips).
 */
export function batchTensor(
  split: LabeledImages,
  idx: Int32Array | number[],
  augment?: Augmentation,
  rng?: Rng,
): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = split.shape;
  const size = h * w * c;
  const buf = new Float32Array(idx.length * size);
  const lab = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    const src = split.pixels.subarray(k * size, (k + 1) * size);
    const out = i * size;
    if (augment && rng && (augment.padCrop > 0 || augment.flip)) {
      const p = augment.padCrop;
      const dy = p > 0 ? rng.int(2 * p + 1) - p : 0;
      const dx = p > 0 ? rng.int(2 * p + 1) - p : 0;
      const flip = augment.flip && rng.next() < 0.5;
      for (let r = 0; r < h; r++) {
        const sr = r + dy;
        if (sr < 0 || sr >= h) continue; // zero padding: buf is already 0
        for (let col = 0; col < w; col++) {
          const sc = (flip ? w - 1 - col : col) + dx;
          if (sc < 0 || sc >= w) continue;
          for (let ch = 0; ch < c; ch++) buf[out + (r * w + col) * c + ch] = src[(sr * w + sc) * c + ch] / 255;
        }
      }
    } else {
      for (let j = 0; j < size; j++) buf[out + j] = src[j] / 255;
    }
    lab[i] = split.labels[k];
  }
  const x = tf.tensor4d(buf, [idx.length, h, w, c]);
  const sigma = augment?.gaussianNoise ?? 0;
  if (sigma > 0 && rng) {
    // one seed per batch from `rng`: the noise is the same on every backend and a resumed run draws it again
    const noisy = tf.tidy(() => x.add(tf.randomNormal(x.shape, 0, sigma, 'float32', rng.seed())) as tf.Tensor4D);
    x.dispose();
    return { x: noisy, y: tf.tensor1d(lab, 'int32') };
  }
  return { x, y: tf.tensor1d(lab, 'int32') };
}
