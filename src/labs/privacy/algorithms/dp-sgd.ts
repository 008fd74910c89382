/**
 * DP-SGD (Abadi et al. 2016) as Opacus runs it (opacus/optimizers/optimizer.py, data_loader.py,
 * utils/uniform_sampler.py), as a step function and a batch sampler of the shared training loop:
 *   - Poisson sampling: every training image joins each batch independently with probability q, so
 *     batch sizes vary and may be empty; an epoch has floor(1/q) steps (Opacus's
 *     UniformWithReplacementSampler: int(1 / sample_rate));
 *   - each example's gradient of its own loss (per-example.ts, one vectorised backward pass) scaled by
 *     min(1, C / (norm + 1e-6)) (Opacus's clip factor), the results summed;
 *   - Gaussian noise N(0, (sigma C)^2) added to every coordinate of the sum;
 *   - the sum divided by the EXPECTED batch size floor(q N) (Opacus with loss_reduction "mean": its
 *     expected_batch_size = int(len(dataset) * sample_rate)), not by the drawn batch's size;
 *   - then the recipe's optimiser (Opacus's MNIST example: plain SGD, no momentum, constant lr).
 * Differences: the noise comes from TensorFlow.js's seeded generator (a run repeats bit for bit; Opacus's
 * secure_mode draws from a cryptographic source instead); the drawn batch's loss is reported as its mean
 * (0 for an empty batch). Label smoothing is not applied (Opacus's example has none).
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../../core/random';
import type { BatchSampler, StepContext, TrainStep } from '../../../core/train/train';
import { clippedGradientSum } from './per-example';
import { expectedBatchSize, poissonSteps } from './dp-counts';

export interface DpSgdSettings {
  /** sigma: the noise's standard deviation is sigma x clip. */
  noiseMultiplier: number;
  /** C: the bound on each example's gradient norm. */
  clip: number;
  /** q: the probability that an image joins a batch. */
  sampleRate: number;
}

// the counts of Poisson sampling are free of TensorFlow.js (the page reads them): dp-counts.ts
export { expectedBatchSize, poissonSteps } from './dp-counts';

/** One Poisson-sampled batch: the indices i < n with u_i < q, in order. */
export function poissonBatch(n: number, q: number, rng: Rng): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (rng.next() < q) out.push(i);
  return Int32Array.from(out);
}

/** Poisson sampling at rate q for the training loop. */
export function poissonSampler(q: number): BatchSampler {
  if (!(q > 0 && q <= 1)) throw new Error(`the sample rate must be in (0, 1] (got ${q})`);
  return {
    stepsPerEpoch: () => poissonSteps(q),
    draw: (n, rng) => Array.from({ length: poissonSteps(q) }, () => poissonBatch(n, q, rng)),
  };
}

/** What one DP-SGD step did to its batch (for the lab's explanation of one gradient). */
export interface DpStepDetail {
  batchSize: number;
  /** Each example's gradient norm before clipping. */
  norms: Float32Array;
  /** The norm of the clipped sum, of the noise drawn, and of the noised sum. */
  sumNorm: number;
  noiseNorm: number;
  noisedNorm: number;
}

/**
 * The noised, averaged gradient of one batch (model.trainableWeights order; the caller disposes it):
 * (sum_i clip_C(g_i) + N(0, (sigma C)^2 I)) / expected batch size. `noiseSeeds` gives one seed per weight.
 */
export function dpGradient(
  model: tf.LayersModel,
  x: tf.Tensor4D,
  y: tf.Tensor1D,
  s: DpSgdSettings,
  expected: number,
  noiseSeeds: number[],
): { grads: tf.Tensor[]; loss: tf.Scalar; norms: tf.Tensor1D; sumNorm: tf.Scalar; noiseNorm: tf.Scalar } {
  const weights = model.trainableWeights;
  if (noiseSeeds.length !== weights.length) throw new Error('dpGradient: one noise seed per trainable weight');
  return tf.tidy(() => {
    const n = x.shape[0];
    const clipped =
      n > 0
        ? clippedGradientSum(model, x, y, s.clip)
        : {
            sum: weights.map((w) => tf.zeros(w.shape as number[])),
            norms: tf.zeros([0]) as tf.Tensor1D,
            losses: tf.zeros([0]) as tf.Tensor1D,
          };
    const std = s.noiseMultiplier * s.clip;
    const noise = weights.map((w, i) => tf.randomNormal(w.shape as number[], 0, std, 'float32', noiseSeeds[i]));
    const grads = clipped.sum.map((g, i) => tf.div(tf.add(g, noise[i]), expected));
    const norm = (ts: tf.Tensor[]) => tf.sqrt(tf.addN(ts.map((t) => tf.sum(tf.square(t))))) as tf.Scalar;
    const loss = (n > 0 ? tf.mean(clipped.losses) : tf.scalar(0)) as tf.Scalar;
    return { grads, loss, norms: clipped.norms, sumNorm: norm(clipped.sum), noiseNorm: norm(noise) };
  });
}

/** DP-SGD's step: the noised average of clipped per-example gradients, applied with the recipe's optimiser. */
export function dpSgdStep(s: DpSgdSettings, onDetail?: (d: DpStepDetail) => void): TrainStep {
  return async (ctx: StepContext) => {
    const { applyGradients, trainSize } = ctx;
    if (!applyGradients || trainSize === undefined) throw new Error('DP-SGD needs a training loop that applies given gradients (train())');
    const expected = expectedBatchSize(trainSize, s.sampleRate);
    const seeds = ctx.model.trainableWeights.map(() => ctx.rng.seed());
    const r = dpGradient(ctx.model, ctx.x, ctx.y, s, expected, seeds);
    try {
      applyGradients(r.grads);
      if (onDetail) {
        const noisedNorm = tf.tidy(() => tf.mul(tf.sqrt(tf.addN(r.grads.map((g) => tf.sum(tf.square(g))))), expected));
        const [sumNorm, noiseNorm, noised] = await Promise.all([r.sumNorm.data(), r.noiseNorm.data(), noisedNorm.data()]);
        noisedNorm.dispose();
        onDetail({
          batchSize: ctx.x.shape[0],
          norms: (await r.norms.data()) as Float32Array,
          sumNorm: sumNorm[0],
          noiseNorm: noiseNorm[0],
          noisedNorm: noised[0],
        });
      }
      return (await r.loss.data())[0];
    } finally {
      tf.dispose([...r.grads, r.loss, r.norms, r.sumNorm, r.noiseNorm]);
    }
  };
}

/** The step and the sampler a DP recipe trains with (the CLI's train command passes both to train()). */
export function dpSgdTraining(s: DpSgdSettings): { step: TrainStep; sampler: BatchSampler } {
  return { step: dpSgdStep(s), sampler: poissonSampler(s.sampleRate) };
}
