/**
 * BadNets data poisoning (Gu et al. 2017) and its attack success rate.
 *
 * Convention (as ART's `PoisoningAttackBackdoor` is used in its backdoor notebooks and the BadNets
 * reimplementations): floor(rate * n) training images are chosen with the seeded generator, the trigger
 * of trigger.ts is stamped on each and its label changed; the poisoned images replace the originals in
 * place (the set keeps its size). All-to-one: the images are drawn from the classes other than the
 * target and relabelled to the target. All-to-all (Gu et al. section 3.2): any image, label y -> (y + 1)
 * mod classes.
 *
 * Attack success rate: the share of triggered test images that the model classifies as the attack's
 * label. All-to-one counts only test images whose true label is not the target (Gu et al.; ART's
 * notebooks); all-to-all counts every test image, a success being the prediction (y + 1) mod classes.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor } from '../../../core/data/batches';
import type { LabeledImages } from '../../../core/data/types';
import type { Classifier } from '../../../core/models/classifier';
import { Rng } from '../../../core/random';
import { stampImage, withTrigger, type TriggerSpec } from './trigger';

export type PoisonMode = 'all-to-one' | 'all-to-all';
export const POISON_MODES: readonly PoisonMode[] = ['all-to-one', 'all-to-all'];

export interface BadNetsConfig {
  trigger: TriggerSpec;
  /** Share of the training images poisoned, in [0, 1]. */
  rate: number;
  /** Target class (all-to-one). */
  target: number;
  mode: PoisonMode;
  seed: number;
  classes?: number;
}

export interface PoisonedSplit {
  /** The training set with the poisoned images in place (a copy: the input is left alone). */
  data: LabeledImages;
  /** Indices of the poisoned images, ascending. */
  indices: Int32Array;
}

/** The label a poisoned image of label y gets. */
export function poisonLabel(y: number, mode: PoisonMode, target: number, classes = 10): number {
  return mode === 'all-to-one' ? target : (y + 1) % classes;
}

/** Poison floor(rate * n) images of `train` (see the header); a clear error when too few are eligible. */
export function poisonSplit(train: LabeledImages, cfg: BadNetsConfig): PoisonedSplit {
  const classes = cfg.classes ?? 10;
  if (!(cfg.rate >= 0 && cfg.rate <= 1)) throw new Error(`poison rate ${cfg.rate} is not in [0, 1]`);
  const count = Math.floor(cfg.rate * train.n);
  const eligible: number[] = [];
  for (let i = 0; i < train.n; i++) if (cfg.mode === 'all-to-all' || train.labels[i] !== cfg.target) eligible.push(i);
  if (count > eligible.length)
    throw new Error(
      `poison rate ${cfg.rate} asks for ${count} images but only ${eligible.length} of the ${train.n} are outside the target class ${cfg.target}`,
    );
  const order = new Rng(cfg.seed).permutation(eligible.length);
  const indices = Int32Array.from({ length: count }, (_, j) => eligible[order[j]]).sort();
  const pixels = train.pixels.slice();
  const labels = train.labels.slice();
  for (const i of indices) {
    stampImage(pixels, i, train.shape, cfg.trigger);
    labels[i] = poisonLabel(labels[i], cfg.mode, cfg.target, classes);
  }
  return { data: { n: train.n, shape: train.shape, pixels, labels }, indices };
}

/** The classifier's predicted class of every image, in batches. */
export async function predictAll(clf: Classifier, data: LabeledImages, batchSize = 250, signal?: AbortSignal): Promise<Int32Array> {
  const out = new Int32Array(data.n);
  for (let s = 0; s < data.n; s += batchSize) {
    if (signal?.aborted) throw new Error('evaluation cancelled');
    const idx = Array.from({ length: Math.min(batchSize, data.n - s) }, (_, j) => s + j);
    const { x, y } = batchTensor(data, idx);
    const p = tf.tidy(() => tf.argMax(clf.logits(x), 1));
    out.set(await p.data(), s);
    tf.dispose([x, y, p]);
    if ((s / batchSize) % 20 === 19) await new Promise((r) => setTimeout(r, 0));
  }
  return out;
}

/** Share of predictions equal to the labels. */
export function accuracyOf(pred: ArrayLike<number>, labels: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < labels.length; i++) if (pred[i] === labels[i]) ok++;
  return labels.length ? ok / labels.length : 0;
}

/** The test images the attack success rate counts (all-to-one: true label != target; all-to-all: all). */
export function asrIndices(test: LabeledImages, mode: PoisonMode, target: number): Int32Array {
  const idx: number[] = [];
  for (let i = 0; i < test.n; i++) if (mode === 'all-to-all' || test.labels[i] !== target) idx.push(i);
  return Int32Array.from(idx);
}

export interface AsrResult {
  /** Successes / counted images. */
  rate: number;
  /** Test images counted. */
  n: number;
  /** The counted images' indices in the test set, and the predictions on their triggered copies. */
  indices: Int32Array;
  predictions: Int32Array;
}

/** Attack success rate of the trigger on `test` (see the header). */
export async function attackSuccessRate(
  clf: Classifier,
  test: LabeledImages,
  trigger: TriggerSpec,
  mode: PoisonMode,
  target: number,
  opts: { classes?: number; signal?: AbortSignal } = {},
): Promise<AsrResult> {
  const classes = opts.classes ?? 10;
  const indices = asrIndices(test, mode, target);
  const triggered = withTrigger(test, trigger, indices);
  const predictions = await predictAll(clf, triggered, 250, opts.signal);
  let hits = 0;
  for (let j = 0; j < indices.length; j++) if (predictions[j] === poisonLabel(test.labels[indices[j]], mode, target, classes)) hits++;
  return { rate: indices.length ? hits / indices.length : 0, n: indices.length, indices, predictions };
}

/** Precision and recall of a set of flagged indices against the truly poisoned ones. */
export function detectionScores(
  flagged: ArrayLike<number>,
  poisoned: ArrayLike<number>,
): { precision: number; recall: number; truePositives: number } {
  const truth = new Set(Array.from(poisoned));
  let tp = 0;
  for (let i = 0; i < flagged.length; i++) if (truth.has(flagged[i])) tp++;
  return {
    precision: flagged.length ? tp / flagged.length : 0,
    recall: truth.size ? tp / truth.size : 0,
    truePositives: tp,
  };
}

/** The split without the images of `remove`. */
export function withoutIndices(data: LabeledImages, remove: ArrayLike<number>): LabeledImages {
  const drop = new Uint8Array(data.n);
  for (let i = 0; i < remove.length; i++) drop[remove[i]] = 1;
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  const keep = data.n - drop.reduce((a, b) => a + b, 0);
  const pixels = new Uint8Array(keep * per);
  const labels = new Uint8Array(keep);
  let j = 0;
  for (let i = 0; i < data.n; i++) {
    if (drop[i]) continue;
    pixels.set(data.pixels.subarray(i * per, (i + 1) * per), j * per);
    labels[j++] = data.labels[i];
  }
  return { n: keep, shape: data.shape, pixels, labels };
}
