/**
 * The membership-inference experiment (LiRA's set-up, Carlini et al. 2022, mi_lira_2021/train.py):
 * a pool of N training images drawn (seeded) from a data set's training split; K shadow models and one
 * target, all trained alike by the shared training loop (src/core/train/train.ts) on their own subsets
 * of the pool, each example being in exactly floor((K + 1) / 2) of the K + 1 models (lira.ts: liraKeep);
 * every model's logits on the whole pool. The target is the last model; its members and non-members are
 * the pool's examples in and out of its subset, and every attack scores all N of them.
 *
 * The attacks (algorithms/mia/): 'loss' (Yeom et al.: the target's loss), 'shadow' (Shokri et al.:
 * per-class attack models on the shadows' outputs), 'lira-online', 'lira-offline' and
 * 'lira-online-fixed' (LiRA: per-example Gaussians of the shadows' logit-scaled confidences).
 *
 * DP (`dp`): every model trains with DP-SGD (algorithms/dp-sgd.ts: Poisson sampling at q = batch size /
 * its images, per-example clipping to C, noise sigma C) under the recipe's optimiser (Adam; Opacus's
 * example uses plain SGD: noised gradients stay private whatever optimiser uses them).
 *
 * Training: no augmentation (one query per example), the recipe's checkpoint chosen on `holdout` test
 * images (ties to the later epoch), whose accuracy the run reports beside the training accuracy (the
 * generalisation gap the attacks feed on). Training a model again gives the same weights: everything is
 * seeded from the run's seed and the model's index, so cached outputs (ModelCache) stand for it.
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../../core/data/types';
import type { ArchitectureId } from '../../core/models/architectures';
import { Rng } from '../../core/random';
import type { Recipe } from '../../core/train/recipes';
import { train } from '../../core/train/train';
import { epsilonSpent } from './algorithms/accountants/accountant';
import { dpSgdTraining, poissonSteps } from './algorithms/dp-sgd';
import { liraKeep, liraOffline, liraOnline } from './algorithms/mia/lira';
import { lossThresholdScores } from './algorithms/mia/loss-threshold';
import { miaMetrics, rocForLogPlot, type MiaMetrics } from './algorithms/mia/metrics';
import { crossEntropyLosses, logSoftmax, logitScaledConfidence } from './algorithms/mia/outputs';
import { shadowAttackScores, trainShadowAttack } from './algorithms/mia/shadow';

import { MIA_ATTACKS, MIA_ATTACK_NAMES, type MiaAttack } from './algorithms/mia/attacks';

export { MIA_ATTACKS, MIA_ATTACK_NAMES, type MiaAttack };

export interface MiaTraining {
  architecture: ArchitectureId;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export interface MiaConfig {
  dataset: string;
  /** Training images in the pool. */
  pool: number;
  shadows: number;
  seed: number;
  training: MiaTraining;
  /** Test images that choose each model's checkpoint (and measure its test accuracy). */
  holdout: number;
  /** DP-SGD training of every model (noise multiplier, clipping norm), when given. */
  dp?: { sigma: number; clip: number };
}

export interface MiaModels {
  /** Indices of the pool's images in the training split, and their labels. */
  poolIndex: Int32Array;
  labels: Uint8Array;
  /** keep[m][i]: model m trained on pool image i; the target is the last model. */
  keep: Uint8Array[];
  /** logits[m]: model m's pool.n x 10 logits. */
  logits: Float32Array[];
  /** Per model: accuracy on its training subset and on the holdout. */
  trainAccuracy: number[];
  testAccuracy: number[];
}

export interface ModelRecord {
  logits: Float32Array;
  trainAccuracy: number;
  testAccuracy: number;
}

/** Where trained models' outputs are kept, so that attacks on one pool never train again. */
export interface ModelCache {
  load(model: number): Promise<ModelRecord | null>;
  save(model: number, rec: ModelRecord): Promise<void>;
}

export interface MiaProgress {
  model: number;
  models: number;
  step: number;
  steps: number;
  cached: boolean;
}

/** What identifies a run's models (the cache key): every setting that changes the outputs. */
export function miaRunKey(c: MiaConfig): string {
  const t = c.training;
  const dp = c.dp ? `-dp${c.dp.sigma}_${c.dp.clip}` : '';
  return `${c.dataset}-n${c.pool}-k${c.shadows}-s${c.seed}-${t.architecture}-e${t.epochs}-b${t.batchSize}-lr${t.learningRate}-h${c.holdout}${dp}`;
}

export function checkMiaConfig(c: MiaConfig): void {
  if (!Number.isInteger(c.pool) || c.pool < 20) throw new Error(`the pool needs at least 20 images (got ${c.pool})`);
  if (!Number.isInteger(c.shadows) || c.shadows < 3)
    throw new Error(`LiRA needs at least 3 shadow models (each of the target's members must be in some shadow) (got ${c.shadows})`);
  if (c.training.epochs < 1 || c.training.batchSize < 1 || !(c.training.learningRate > 0))
    throw new Error('training needs epochs, a batch size and a learning rate');
}

function subset(src: LabeledImages, idx: ArrayLike<number>): LabeledImages {
  const size = src.shape[0] * src.shape[1] * src.shape[2];
  const pixels = new Uint8Array(idx.length * size);
  const labels = new Uint8Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    pixels.set(src.pixels.subarray(idx[i] * size, (idx[i] + 1) * size), i * size);
    labels[i] = src.labels[idx[i]];
  }
  return { n: idx.length, shape: src.shape, pixels, labels };
}

function concat(a: LabeledImages, b: LabeledImages): LabeledImages {
  const pixels = new Uint8Array(a.pixels.length + b.pixels.length);
  pixels.set(a.pixels);
  pixels.set(b.pixels, a.pixels.length);
  const labels = new Uint8Array(a.n + b.n);
  labels.set(a.labels);
  labels.set(b.labels, a.n);
  return { n: a.n + b.n, shape: a.shape, pixels, labels };
}

/** A model's logits on every image of `data` (batches of 256). */
export async function logitsOn(model: tf.LayersModel, data: LabeledImages): Promise<Float32Array> {
  const size = data.shape[0] * data.shape[1] * data.shape[2];
  const out = new Float32Array(data.n * 10);
  for (let s = 0; s < data.n; s += 256) {
    const e = Math.min(data.n, s + 256);
    const z = tf.tidy(() => {
      const x = tf.tensor4d(
        Float32Array.from(data.pixels.subarray(s * size, e * size), (v) => v / 255),
        [e - s, ...data.shape],
      );
      return model.predict(x) as tf.Tensor2D;
    });
    out.set(await z.data(), s * 10);
    z.dispose();
  }
  return out;
}

function accuracy(logits: Float32Array, labels: ArrayLike<number>, pick?: (i: number) => boolean): number {
  let right = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (pick && !pick(i)) continue;
    n++;
    let best = 0;
    for (let j = 1; j < 10; j++) if (logits[i * 10 + j] > logits[i * 10 + best]) best = j;
    if (best === labels[i]) right++;
  }
  return n ? right / n : NaN;
}

/** Draws the pool and the keep masks, then trains (or loads) every model and collects its outputs. */
export async function trainMiaModels(
  cfg: MiaConfig,
  trainSplit: LabeledImages,
  testSplit: LabeledImages,
  opts: { onProgress?: (p: MiaProgress) => void; signal?: AbortSignal; cache?: ModelCache } = {},
): Promise<MiaModels> {
  checkMiaConfig(cfg);
  if (cfg.pool > trainSplit.n) throw new Error(`the pool (${cfg.pool}) is larger than the training split (${trainSplit.n})`);
  if (cfg.holdout < 1 || cfg.holdout > testSplit.n) throw new Error(`the holdout needs 1 to ${testSplit.n} test images`);
  const rng = new Rng(cfg.seed);
  const poolIndex = rng.permutation(trainSplit.n).slice(0, cfg.pool);
  const pool = subset(trainSplit, poolIndex);
  const holdout = subset(
    testSplit,
    Array.from({ length: cfg.holdout }, (_, i) => i),
  );
  const models = cfg.shadows + 1;
  const keep = liraKeep(models, cfg.pool, () => rng.next());
  const logits: Float32Array[] = [];
  const trainAccuracy: number[] = [];
  const testAccuracy: number[] = [];
  for (let m = 0; m < models; m++) {
    if (opts.signal?.aborted) throw new Error('training cancelled');
    let rec = await opts.cache?.load(m);
    const members = Array.from({ length: cfg.pool }, (_, i) => i).filter((i) => keep[m][i]);
    const t = cfg.training;
    // DP-SGD: Poisson sampling at q = batch / members (the same expected batch), algorithms/dp-sgd.ts
    const dp = cfg.dp && dpSgdTraining({ noiseMultiplier: cfg.dp.sigma, clip: cfg.dp.clip, sampleRate: dpSampleRate(cfg, members.length) });
    const steps = (dp ? poissonSteps(dpSampleRate(cfg, members.length)) : Math.ceil(members.length / t.batchSize)) * t.epochs;
    if (rec) opts.onProgress?.({ model: m, models, step: steps, steps, cached: true });
    else {
      const recipe: Recipe = {
        id: `mia-${m}`,
        dataset: cfg.dataset,
        architecture: t.architecture,
        epochs: t.epochs,
        batchSize: t.batchSize,
        learningRate: t.learningRate,
        seed: (cfg.seed * 1000003 + m * 7919 + 1) >>> 0,
        holdout: cfg.holdout,
        evaluations: [],
      };
      const res = await train(recipe, concat(subset(pool, members), holdout), {
        signal: opts.signal,
        step: dp ? dp.step : undefined,
        sampler: dp ? dp.sampler : undefined,
        onBatch: (step, total) => opts.onProgress?.({ model: m, models, step: step + 1, steps: total, cached: false }),
      });
      const z = await logitsOn(res.model, pool);
      const zh = await logitsOn(res.model, holdout);
      res.model.dispose();
      rec = { logits: z, trainAccuracy: accuracy(z, pool.labels, (i) => keep[m][i] === 1), testAccuracy: accuracy(zh, holdout.labels) };
      await opts.cache?.save(m, rec);
    }
    logits.push(rec.logits);
    trainAccuracy.push(rec.trainAccuracy);
    testAccuracy.push(rec.testAccuracy);
  }
  return { poolIndex, labels: pool.labels, keep, logits, trainAccuracy, testAccuracy };
}

/** DP-SGD's sampling rate for a model of `members` images: the recipe's batch size over them (at most 1). */
export function dpSampleRate(cfg: MiaConfig, members: number): number {
  return Math.min(1, cfg.training.batchSize / Math.max(1, members));
}

/**
 * The target's privacy guarantee under DP-SGD (delta 1e-5, the RDP accountant with Balle et al.'s
 * conversion and PRV): its sampling rate, steps and noise multiplier; null without DP or with sigma 0.
 */
export function targetEpsilon(cfg: MiaConfig, models: MiaModels): { rdp: number; prv: number; delta: number } | null {
  if (!cfg.dp || !(cfg.dp.sigma > 0)) return null;
  const members = models.keep[models.keep.length - 1].reduce((s, x) => s + x, 0);
  const q = dpSampleRate(cfg, members);
  const run = [{ sampleRate: q, noiseMultiplier: cfg.dp.sigma, steps: poissonSteps(q) * cfg.training.epochs }];
  const delta = 1e-5;
  return { rdp: epsilonSpent('rdp', run, delta).epsilon, prv: epsilonSpent('prv', run, delta).epsilon, delta };
}

export interface AttackResult extends MiaMetrics {
  attack: MiaAttack;
  /** The target's membership score of every pool image (higher: member). */
  scores: Float64Array;
  /** The ROC's points for a log-log chart. */
  curve: { fpr: number; tpr: number }[];
}

/** Runs one attack on the target (the last model) with the others as shadows. */
export function runMiaAttack(models: MiaModels, attack: MiaAttack): AttackResult {
  const { labels, keep, logits } = models;
  const n = labels.length;
  const k = logits.length - 1;
  const target = logits[k];
  const member = keep[k];
  let scores: Float64Array;
  if (attack === 'loss') scores = lossThresholdScores(crossEntropyLosses(target, labels, 10));
  else if (attack === 'shadow') {
    const model = trainShadowAttack({
      features: logits.slice(0, k).map((z) => logSoftmax(z, n, 10)),
      keep: keep.slice(0, k),
      labels,
      classes: 10,
    });
    scores = shadowAttackScores(model, logSoftmax(target, n, 10), labels);
  } else {
    const phi = logits.map((z) => logitScaledConfidence(z, labels, 10));
    const sh = { scores: phi.slice(0, k), keep: keep.slice(0, k) };
    scores = attack === 'lira-offline' ? liraOffline(sh, phi[k]) : liraOnline(sh, phi[k], { fixVariance: attack === 'lira-online-fixed' });
  }
  const m = miaMetrics(scores, member);
  return { attack, scores, auc: m.auc, tprAt001: m.tprAt001, tprAt01: m.tprAt01, advantage: m.advantage, curve: rocForLogPlot(m.roc) };
}

/** The `k` training members the attack is surest of (pool indices, highest score first). */
export function mostExposed(models: MiaModels, result: AttackResult, k: number): number[] {
  const member = models.keep[models.keep.length - 1];
  return Array.from(result.scores.keys())
    .filter((i) => member[i])
    .sort((a, b) => result.scores[b] - result.scores[a])
    .slice(0, k);
}
