/**
 * One data-poisoning experiment, shared by `rlab poison` and the worker's `poison` job: poison the
 * training images (BadNets, algorithms/badnets.ts), train the zoo's network on them with the shared
 * loop (core/train/train.ts, the zoo recipe of the data set with the run's epochs and seed), measure
 * clean accuracy and the attack success rate; optionally train the same recipe on the unpoisoned images
 * (the clean model to compare with); optionally run a defence on the poisoned model's last hidden
 * layer, score its flags against the real poisoned set, retrain without the flagged images and measure
 * again. The caller disposes the returned models.
 */
import * as tf from '@tensorflow/tfjs';
import { sliceSplit } from '../../core/data/batches';
import type { LabeledImages } from '../../core/data/types';
import type { Classifier } from '../../core/models/classifier';
import { crossEntropyStep, train } from '../../core/train/train';
import { RECIPES, type Recipe } from '../../core/train/recipes';
import { activationClustering } from './algorithms/activation-clustering';
import {
  accuracyOf,
  attackSuccessRate,
  detectionScores,
  poisonSplit,
  predictAll,
  withoutIndices,
  type AsrResult,
} from './algorithms/badnets';
import { lastHiddenActivations } from './algorithms/representations';
import { spectralSignatures } from './algorithms/spectral-signatures';
import { parseTrigger, type TriggerSpec } from './algorithms/trigger';
import type { PoisonSettings } from './experiment/poison';

/** The zoo recipe each data set's poisoned model follows (its architecture, batch, learning rate, holdout). */
const BASE_RECIPE: Record<string, string> = { mnist: 'mnist-cnn', 'fashion-mnist': 'fashion-cnn' };
export const POISON_DATASETS = Object.keys(BASE_RECIPE);

/** The recipe of a run: the zoo recipe with the run's epochs and seed, and a holdout of at most a tenth of the images. */
export function poisonRecipe(dataset: string, epochs: number, seed: number, images: number, label: string): Recipe {
  const base = RECIPES[BASE_RECIPE[dataset]];
  if (!base) throw new Error(`data poisoning runs on ${POISON_DATASETS.join(', ')}, not ${dataset}`);
  return {
    ...base,
    id: `${dataset}-poison-${label}`,
    epochs,
    seed,
    holdout: Math.min(base.holdout, Math.floor(images / 10)),
    evaluations: [],
  };
}

export type PoisonPhase = 'poisoned' | 'clean' | 'retrain';

export interface PoisonHooks {
  signal?: AbortSignal;
  onPhase?: (phase: PoisonPhase | 'measure' | 'defence', text: string) => void;
  onBatch?: (phase: PoisonPhase, step: number, total: number, loss: number) => void;
}

export interface DefenceOutcome {
  method: 'activation-clustering' | 'spectral';
  flagged: number;
  precision: number;
  recall: number;
  cleanAccuracy: number;
  asr: number;
  /** Training images the defended model was retrained on. */
  trainImages: number;
}

export interface PoisonOutcome {
  dataset: string;
  trainImages: number;
  testImages: number;
  poisoned: Int32Array;
  cleanAccuracy: number;
  asr: AsrResult;
  /** Clean predictions of the test images (for the samples shown). */
  cleanPredictions: Int32Array;
  cleanModelAccuracy: number | null;
  cleanModelAsr: number | null;
  defence: DefenceOutcome | null;
  seconds: number;
  /** The poisoned model (and the defended one after retraining): the caller disposes them. */
  model: tf.LayersModel;
  defendedModel: tf.LayersModel | null;
}

export const classifierOfModel = (m: tf.LayersModel, shape: [number, number, number]): Classifier => ({
  logits: (x) => m.apply(x) as tf.Tensor2D,
  inputShape: shape,
  numClasses: 10,
  outputKind: 'logits',
});

async function measure(m: tf.LayersModel, test: LabeledImages, t: TriggerSpec, s: PoisonSettings, signal?: AbortSignal) {
  const clf = classifierOfModel(m, test.shape);
  const pred = await predictAll(clf, test, 250, signal);
  const asr = await attackSuccessRate(clf, test, t, s.mode, s.target, { signal });
  return { accuracy: accuracyOf(pred, test.labels), pred, asr };
}

export async function runPoisoning(
  dataset: string,
  trainAll: LabeledImages,
  testAll: LabeledImages,
  s: PoisonSettings,
  seed: number,
  opts: PoisonHooks & { cleanModel?: boolean } = {},
): Promise<PoisonOutcome> {
  const t0 = performance.now();
  const trigger = parseTrigger(s.trigger, trainAll.shape);
  if (s.trainImages > trainAll.n) throw new Error(`--train-images ${s.trainImages}: the training split has ${trainAll.n} images`);
  if (s.testImages > testAll.n) throw new Error(`--test-images ${s.testImages}: the test split has ${testAll.n} images`);
  const trainSet = s.trainImages > 0 ? sliceSplit(trainAll, 0, s.trainImages) : trainAll;
  const test = s.testImages > 0 ? sliceSplit(testAll, 0, s.testImages) : testAll;
  const { data, indices } = poisonSplit(trainSet, { trigger, rate: s.rate, target: s.target, mode: s.mode, seed });
  const made: tf.LayersModel[] = [];
  const run = async (phase: PoisonPhase, images: LabeledImages) => {
    opts.onPhase?.(phase, `Training the ${phase} model on ${images.n} images`);
    let building: tf.LayersModel | null = null;
    try {
      const r = await train(poisonRecipe(dataset, s.epochs, seed, images.n, phase), images, {
        signal: opts.signal,
        // the loop builds the model: it is caught here so that a cancelled run frees it
        step: (c) => {
          building = c.model;
          return crossEntropyStep(c);
        },
        onBatch: (step, total, loss) => opts.onBatch?.(phase, step, total, loss),
      });
      made.push(r.model);
      return r.model;
    } catch (e) {
      (building as tf.LayersModel | null)?.dispose();
      throw e;
    }
  };
  try {
    const model = await run('poisoned', data);
    opts.onPhase?.('measure', `Measuring on ${test.n} test images`);
    const m = await measure(model, test, trigger, s, opts.signal);
    let cleanModelAccuracy: number | null = null;
    let cleanModelAsr: number | null = null;
    if (opts.cleanModel) {
      const clean = await run('clean', trainSet);
      const c = await measure(clean, test, trigger, s, opts.signal);
      cleanModelAccuracy = c.accuracy;
      cleanModelAsr = c.asr.rate;
      clean.dispose();
      made.splice(made.indexOf(clean), 1);
    }
    let defence: DefenceOutcome | null = null;
    let defendedModel: tf.LayersModel | null = null;
    if (s.defence !== 'none') {
      opts.onPhase?.('defence', `Running ${s.defence} on the poisoned model's last hidden layer`);
      const acts = await lastHiddenActivations(model, data, { signal: opts.signal });
      const flagged =
        s.defence === 'activation-clustering'
          ? activationClustering(acts, data.labels, { seed }).flagged
          : spectralSignatures(acts, data.labels).flagged;
      const scores = detectionScores(flagged, indices);
      const kept = withoutIndices(data, flagged);
      defendedModel = await run('retrain', kept);
      const d = await measure(defendedModel, test, trigger, s, opts.signal);
      defence = {
        method: s.defence,
        flagged: flagged.length,
        precision: scores.precision,
        recall: scores.recall,
        cleanAccuracy: d.accuracy,
        asr: d.asr.rate,
        trainImages: kept.n,
      };
    }
    return {
      dataset,
      trainImages: trainSet.n,
      testImages: test.n,
      poisoned: indices,
      cleanAccuracy: m.accuracy,
      asr: m.asr,
      cleanPredictions: m.pred,
      cleanModelAccuracy,
      cleanModelAsr,
      defence,
      seconds: (performance.now() - t0) / 1000,
      model,
      defendedModel,
    };
  } catch (e) {
    made.forEach((m) => m.dispose());
    throw e;
  }
}

/**
 * Saliency (Simonyan et al. 2014): |d logit_class / d x| per pixel, the largest over channels, for
 * each image of `x` ([n, H, W, C] in [0, 1]); returns n * H * W values.
 */
export async function saliencyMaps(clf: Classifier, x: tf.Tensor4D, cls: number): Promise<Float32Array> {
  const g = tf.tidy(() => {
    const grad = tf.grad((inp: tf.Tensor) => tf.sum(tf.slice(clf.logits(inp as tf.Tensor4D), [0, cls], [-1, 1])))(x);
    return tf.max(tf.abs(grad), 3);
  });
  try {
    return (await g.data()) as Float32Array;
  } finally {
    g.dispose();
  }
}
