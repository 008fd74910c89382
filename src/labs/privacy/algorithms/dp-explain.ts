/**
 * DP-SGD's clipping and noise on one gradient, for the lab's explanation: a chosen training image in
 * a Poisson-sampled batch, through exactly the step dp-sgd.ts takes (Opacus's convention):
 *   - its per-example gradient norm ||g||, the clip factor min(1, C / (||g|| + 1e-6)) and the norm of
 *     the clipped gradient, computed from the clipped gradient itself (a one-example clipped sum);
 *   - every batch member's norm before and after clipping;
 *   - the noise drawn, z ~ N(0, (sigma C)^2 I_d) over the d trainable parameters (its norm, against
 *     sigma C sqrt(d), the norm such a draw has on average up to O(1/sqrt(d)));
 *   - the clipped sum, the noised sum and the update (the noised sum over the expected batch int(N q)).
 * The noise is seeded (one seed per weight from `seed`), so the same settings show the same draw.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../../core/random';
import { dpGradient, type DpSgdSettings } from './dp-sgd';
import { clippedGradientSum } from './per-example';

export interface ClipExplanation {
  clip: number;
  noiseMultiplier: number;
  /** Trainable parameters d. */
  parameters: number;
  expectedBatch: number;
  /** The chosen image (the batch's first member). */
  image: { norm: number; factor: number; clippedNorm: number; loss: number };
  /** Every member's gradient norm before and after clipping (the chosen image first). */
  norms: number[];
  clippedNorms: number[];
  /** ||sum of clipped gradients||, ||noise drawn||, sigma C sqrt(d), ||clipped sum + noise||, ||update|| = that / expected batch. */
  sumNorm: number;
  noiseNorm: number;
  noiseExpected: number;
  noisedNorm: number;
  updateNorm: number;
  /** The update's norm without the noise: ||clipped sum|| / expected batch. */
  signalNorm: number;
}

/** The L2 norm of a list of tensors taken as one vector (a scalar tensor; the caller disposes it). */
export const globalNorm = (ts: readonly tf.Tensor[]) => tf.tidy(() => tf.sqrt(tf.addN(ts.map((t) => tf.sum(tf.square(t))))));

/** The explanation for a batch whose first example is the chosen image (x [B, H, W, C], y [B]). */
export async function explainClipping(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  s: Pick<DpSgdSettings, 'clip' | 'noiseMultiplier'>,
  expectedBatch: number,
  seed: number,
): Promise<ClipExplanation> {
  if (x.shape[0] < 1) throw new Error('explainClipping: the batch must hold the chosen image');
  const rng = new Rng(seed);
  const seeds = model.trainableWeights.map(() => rng.seed());
  const r = dpGradient(model, x, y, { ...s, sampleRate: 1 }, expectedBatch, seeds);
  const x0 = tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1]);
  const y0 = tf.slice(y, [0], [1]);
  const one = clippedGradientSum(model, x0, y0, s.clip);
  const clipped = tf.tidy(() => tf.mul(r.norms, tf.minimum(1, tf.div(s.clip, tf.add(r.norms, 1e-6)))));
  const update = globalNorm(r.grads);
  const oneNorm = globalNorm(one.sum);
  try {
    const [norms, clippedNorms, sumNorm, noiseNorm, updateNorm, imageClipped, imageLoss] = await Promise.all([
      r.norms.data(),
      clipped.data(),
      r.sumNorm.data(),
      r.noiseNorm.data(),
      update.data(),
      oneNorm.data(),
      one.losses.data(),
    ]);
    const parameters = model.trainableWeights.reduce((n, w) => n + w.shape.reduce((p: number, k) => p * (k ?? 1), 1), 0);
    const norm = norms[0];
    return {
      clip: s.clip,
      noiseMultiplier: s.noiseMultiplier,
      parameters,
      expectedBatch,
      image: { norm, factor: Math.min(1, s.clip / (norm + 1e-6)), clippedNorm: imageClipped[0], loss: imageLoss[0] },
      norms: Array.from(norms),
      clippedNorms: Array.from(clippedNorms),
      sumNorm: sumNorm[0],
      noiseNorm: noiseNorm[0],
      noiseExpected: s.noiseMultiplier * s.clip * Math.sqrt(parameters),
      noisedNorm: updateNorm[0] * expectedBatch,
      updateNorm: updateNorm[0],
      signalNorm: sumNorm[0] / expectedBatch,
    };
  } finally {
    tf.dispose([...r.grads, r.loss, r.norms, r.sumNorm, r.noiseNorm, x0, y0, ...one.sum, one.norms, one.losses, clipped, update, oneNorm]);
  }
}
