/**
 * Training and evaluating the text models (src/core/models/text-model.ts) on hashed bag-of-words
 * features. The image loop (train.ts) reads images (4-D batches, 10 classes); this is its counterpart
 * for [N, buckets] rows: Adam with train.ts's one-cycle learning rate, seeded shuffling and
 * initialisation, cross-entropy on logits, and the checkpoint chosen by accuracy on mails held out of
 * the training split (drawn from the recipe's seed). Batches are densified from the sparse rows
 * (denseRows), one batch at a time.
 *
 * The pieces (textBatch, textProbabilities, evaluateText) are what the federated lab's clients and
 * its attack-success rate use too.
 */
import * as tf from '@tensorflow/tfjs';
import { denseRows, type HashedFeatures, type HashingConfig } from '../data/tokenize';
import { buildTextModel, type TextArchitectureId } from '../models/text-model';
import { Rng } from '../random';
import { oneCycle } from './train';

export interface TextRecipe {
  id: string;
  dataset: string;
  architecture: TextArchitectureId;
  features: HashingConfig;
  epochs: number;
  batchSize: number;
  /** Peak of the one-cycle learning rate (Adam). */
  learningRate: number;
  seed: number;
  /** Training mails held out (drawn from the seed) to choose the checkpoint. */
  holdout: number;
}

export const TEXT_RECIPES: Record<string, TextRecipe> = {
  'spam-bow': {
    id: 'spam-bow',
    dataset: 'spam-assassin',
    architecture: 'bow-mlp',
    features: { buckets: 2 ** 14, ngrams: 2, weighting: 'log1p', normalize: true },
    epochs: 4,
    batchSize: 32,
    learningRate: 3e-3,
    seed: 1,
    holdout: 400,
  },
};

export function getTextRecipe(id: string): TextRecipe | null {
  return TEXT_RECIPES[id] ?? null;
}

/** Rows `rows` as a batch: x [rows, dim] float32, y [rows] int32. */
export function textBatch(f: HashedFeatures, labels: Uint8Array, rows: ArrayLike<number>): { x: tf.Tensor2D; y: tf.Tensor1D } {
  const y = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) y[i] = labels[rows[i]];
  return { x: tf.tensor2d(denseRows(f, rows), [rows.length, f.dim]), y: tf.tensor1d(y, 'int32') };
}

/** One cross-entropy step on a batch with `optimizer`; returns the batch's mean loss. */
export async function textStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  x: tf.Tensor2D,
  y: tf.Tensor1D,
  classes = 2,
): Promise<number> {
  const loss = optimizer.minimize(
    () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), model.apply(x, { training: true }) as tf.Tensor2D) as tf.Scalar,
    true,
  )!;
  try {
    return (await loss.data())[0];
  } finally {
    loss.dispose();
  }
}

/** Probability of class 1 (spam) for every row (or the rows given), in batches. */
export async function textProbabilities(
  model: tf.LayersModel,
  f: HashedFeatures,
  rows?: ArrayLike<number>,
  batchSize = 256,
): Promise<Float32Array> {
  const all = rows ?? Int32Array.from({ length: f.n }, (_, i) => i);
  const out = new Float32Array(all.length);
  for (let s = 0; s < all.length; s += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, all.length - s) }, (_, i) => all[s + i]);
    const p = tf.tidy(() => {
      const x = tf.tensor2d(denseRows(f, idx), [idx.length, f.dim]);
      return tf.softmax(model.apply(x) as tf.Tensor2D).slice([0, 1], [idx.length, 1]);
    });
    out.set(await p.data(), s);
    p.dispose();
  }
  return out;
}

export interface TextEvaluation {
  n: number;
  accuracy: number;
  /** Of the mails called spam, the share that is spam (NaN when none is called spam). */
  spamPrecision: number;
  /** Of the spam, the share called spam. */
  spamRecall: number;
}

/** Accuracy (spam when p(spam) > 0.5), spam precision and recall. */
export async function evaluateText(
  model: tf.LayersModel,
  f: HashedFeatures,
  labels: Uint8Array,
  rows?: ArrayLike<number>,
): Promise<TextEvaluation> {
  const idx = rows ?? Int32Array.from({ length: f.n }, (_, i) => i);
  const p = await textProbabilities(model, f, idx);
  let correct = 0;
  let tp = 0;
  let called = 0;
  let spam = 0;
  for (let i = 0; i < idx.length; i++) {
    const y = labels[idx[i]];
    const yhat = p[i] > 0.5 ? 1 : 0;
    if (y === yhat) correct++;
    if (yhat === 1) called++;
    if (y === 1) spam++;
    if (y === 1 && yhat === 1) tp++;
  }
  return { n: idx.length, accuracy: correct / idx.length, spamPrecision: called ? tp / called : NaN, spamRecall: spam ? tp / spam : NaN };
}

export interface TextEpochReport {
  epoch: number;
  seconds: number;
  trainLoss: number;
  holdoutAccuracy: number;
  selected: boolean;
}

/** The rows of the training split: (train, holdout), the holdout drawn from the recipe's seed. */
export function holdoutRows(n: number, holdout: number, seed: number): { train: Int32Array; holdout: Int32Array } {
  if (!(holdout >= 0 && holdout < n)) throw new Error(`a holdout of ${holdout} needs more than ${holdout} training rows (have ${n})`);
  const perm = new Rng(seed ^ 0x68bc21eb).permutation(n);
  return { holdout: perm.slice(0, holdout).sort(), train: perm.slice(holdout).sort() };
}

/**
 * Trains the recipe's model on features `f` with `labels` (spam = 1): `recipe.epochs` epochs of
 * seeded shuffles, the checkpoint of the epoch with the best holdout accuracy (the later one on ties).
 */
export async function trainText(
  recipe: TextRecipe,
  f: HashedFeatures,
  labels: Uint8Array,
  opts: {
    signal?: AbortSignal;
    onEpoch?: (r: TextEpochReport) => void;
    onBatch?: (step: number, total: number, loss: number) => void;
  } = {},
): Promise<{ model: tf.LayersModel; selectedEpoch: number; seconds: number; history: TextEpochReport[] }> {
  const t0 = performance.now();
  const rng = new Rng(recipe.seed);
  const model = buildTextModel(recipe.architecture, f.dim, 2, rng.seed());
  const { train, holdout } = holdoutRows(f.n, recipe.holdout, recipe.seed);
  const steps = Math.ceil(train.length / recipe.batchSize);
  const total = steps * recipe.epochs;
  const adam = tf.train.adam(recipe.learningRate);
  const history: TextEpochReport[] = [];
  let best: { accuracy: number; epoch: number; weights: tf.Tensor[] } | null = null;
  let step = 0;
  try {
    for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
      const te = performance.now();
      const order = rng.permutation(train.length);
      let lossSum = 0;
      for (let b = 0; b < steps; b++, step++) {
        if (opts.signal?.aborted) throw new Error('training cancelled');
        const rows = Array.from(order.subarray(b * recipe.batchSize, (b + 1) * recipe.batchSize), (k) => train[k]);
        const { x, y } = textBatch(f, labels, rows);
        (adam as unknown as { learningRate: number }).learningRate = oneCycle(step, total, recipe.learningRate);
        const l = await textStep(model, adam, x, y);
        x.dispose();
        y.dispose();
        lossSum += l;
        opts.onBatch?.(step, total, l);
      }
      const accuracy = recipe.holdout > 0 ? (await evaluateText(model, f, labels, holdout)).accuracy : NaN;
      const selected = recipe.holdout === 0 || !best || accuracy >= best.accuracy;
      if (selected) {
        best?.weights.forEach((w) => w.dispose());
        best = { accuracy, epoch, weights: model.getWeights().map((w) => w.clone()) };
      }
      const r = { epoch, seconds: (performance.now() - te) / 1000, trainLoss: lossSum / steps, holdoutAccuracy: accuracy, selected };
      history.push(r);
      opts.onEpoch?.(r);
    }
    model.setWeights(best!.weights);
    return { model, selectedEpoch: best!.epoch, seconds: (performance.now() - t0) / 1000, history };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    best?.weights.forEach((w) => w.dispose());
    adam.dispose();
  }
}
