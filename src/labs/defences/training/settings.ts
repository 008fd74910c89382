/**
 * Adversarial training in the tab: the settings of the Train panel made into a Recipe of the shared
 * training loop (src/core/train/train.ts), run with its step functions (crossEntropyStep for standard
 * training, adversarialStep for FGSM-RS (Wong et al. 2020) and PGD-AT (Madry et al. 2018)), its
 * checkpoint chosen by PGD-10 accuracy on the held-out images (the zoo's holdoutPgd), and its run state
 * saved in IndexedDB so that a reload resumes at the last saved batch.
 *
 * What this file adds to the loop: a step wrapper that reads the accuracy of each training batch on
 * the inputs the network was trained on (the adversarial examples for FGSM-RS and PGD: Wong et al.'s
 * "training robust accuracy") and probes clean and PGD accuracy on the first 100 held-out images every
 * k batches; the catastrophic-overfitting test (Wong et al. 2020, section 5.3: PGD accuracy collapses
 * while the FGSM training accuracy rises); and the card of the finished model, measured on test images.
 *
 * Conventions: Adam (as the zoo's MNIST recipes); eps has no warm-up (a run of a few epochs in the tab
 * would spend them warming up); CIFAR-10 adds the zoo's random crop and flip. Examples are crafted
 * with the network in inference mode (the loop's default, as TRADES' code crafts them); Wong et al.'s
 * code crafts in training mode.
 */
import * as tf from '@tensorflow/tfjs';
import { sliceSplit } from '../../../core/data/batches';
import type { LabeledImages } from '../../../core/data/types';
import { evaluate } from '../../../core/eval/evaluate';
import type { EvalAttack } from '../../../core/eval/sweep';
import type { ArchitectureId } from '../../../core/models/architectures';
import type { Classifier } from '../../../core/models/classifier';
import { adversarialStep, crossEntropyStep, type TrainStep } from '../../../core/train/train';
import type { Recipe } from '../../../core/train/recipes';
import type { TrainingSettings } from '../experiment/training';
import { METHOD_LABELS, PROBE_IMAGES } from './log';

export { emptyLog, METHOD_LABELS, overfittingWarning, PROBE_IMAGES, type BatchPoint, type ProbePoint, type TrainLog } from './log';

/** The zoo architecture a run from scratch trains, by data set. */
export function scratchArchitecture(dataset: string): ArchitectureId {
  return dataset === 'cifar10' ? 'vgg-cifar-bn' : 'cnn-small';
}

/** Checks a run's settings against the training split; a one-line message for the first problem. */
export function checkSettings(s: TrainingSettings, trainN: number): string | null {
  if (s.holdout >= trainN) return `the held-out images (${s.holdout}) must be fewer than the ${trainN} training images`;
  const available = trainN - s.holdout;
  if (s.slice > available) return `${s.slice} training images asked for, but ${available} remain besides the ${s.holdout} held-out ones`;
  if (s.method !== 'standard' && !(s.eps > 0)) return `${METHOD_LABELS[s.method]} needs an eps above 0`;
  if (s.method !== 'standard' && !(s.stepSize > 0)) return 'the attack step size must be above 0';
  if (!(s.learningRate > 0)) return 'the learning rate must be above 0';
  return null;
}

/** The run as a recipe of the shared loop. */
export function browserRecipe(dataset: string, s: TrainingSettings, architecture: ArchitectureId): Recipe {
  const adversarial: Recipe['adversarial'] =
    s.method === 'standard'
      ? undefined
      : s.method === 'fgsm-rs'
        ? { method: 'fgsm-rs', eps: s.eps, alpha: s.stepSize, epsWarmupEpochs: 1 }
        : s.method === 'trades'
          ? { method: 'trades', eps: s.eps, alpha: s.stepSize, steps: s.steps, beta: s.beta, epsWarmupEpochs: 1 }
          : { method: 'pgd', eps: s.eps, alpha: s.stepSize, steps: s.steps, epsWarmupEpochs: 1 };
  return {
    id: `in-browser-${dataset}-${s.method}`,
    dataset,
    architecture,
    epochs: s.epochs,
    batchSize: s.batchSize,
    learningRate: s.learningRate,
    ...(s.schedule === 'constant' ? { schedule: 'constant' as const } : {}),
    seed: s.seed,
    holdout: s.holdout,
    ...(adversarial ? { adversarial } : {}),
    ...(dataset === 'cifar10' ? { augment: { padCrop: 4, flip: true } } : {}),
    evaluations: [],
  };
}

/** The training data of a run: the first `slice` images (0: all but the held-out) then the last `holdout` images of the file. */
export function runData(train: LabeledImages, s: Pick<TrainingSettings, 'slice' | 'holdout'>): LabeledImages {
  const n = s.slice > 0 ? s.slice : train.n - s.holdout;
  const size = train.shape[0] * train.shape[1] * train.shape[2];
  const pixels = new Uint8Array((n + s.holdout) * size);
  const labels = new Uint8Array(n + s.holdout);
  pixels.set(train.pixels.subarray(0, n * size));
  labels.set(train.labels.subarray(0, n));
  pixels.set(train.pixels.subarray((train.n - s.holdout) * size), n * size);
  labels.set(train.labels.subarray(train.n - s.holdout), n);
  return { n: n + s.holdout, shape: train.shape, pixels, labels };
}

/** A one-line account of the run for its card (the convention of the zoo cards: "standard: ..." / "adversarial: ..."). */
export function describeRun(s: TrainingSettings, dataset: string, base: string | null, trainImages: number): string {
  const per255 = dataset === 'cifar10';
  const fmt = (v: number) =>
    per255 && Math.abs(v * 255 - Math.round(v * 255)) < 1e-9 ? `${Math.round(v * 255)}/255` : String(Number(v.toPrecision(6)));
  const attack =
    s.method === 'standard'
      ? 'standard'
      : s.method === 'fgsm-rs'
        ? `adversarial: FGSM with random start (Wong et al. 2020), eps ${fmt(s.eps)}, step ${fmt(s.stepSize)}`
        : s.method === 'pgd'
          ? `adversarial: PGD-${s.steps} with random start (Madry et al. 2018), eps ${fmt(s.eps)}, step ${fmt(s.stepSize)}`
          : `adversarial: TRADES (Zhang et al. 2019), beta ${s.beta}, PGD-${s.steps} on the KL term, eps ${fmt(s.eps)}, step ${fmt(s.stepSize)}`;
  return (
    `${attack}; in the browser${base ? `, fine-tuned from ${base}` : ', from scratch'}; Adam, ${s.schedule === 'constant' ? 'constant' : 'one-cycle'} lr ${s.learningRate}, ` +
    `batch ${s.batchSize}, ${trainImages.toLocaleString('en-US')} training images; checkpoint chosen by ${s.method === 'standard' ? 'accuracy' : 'PGD-10 accuracy'} on ${s.holdout} held-out training images`
  );
}

/**
 * The loop's step function for a method (TRADES: the defences lab's tradesStep), wrapped to report
 * each batch's accuracy on the inputs the network was trained on: the adversarial examples when the
 * step trained on some (FGSM-RS, PGD, TRADES), else the clean batch. The wrapper hands the step a view
 * of the model whose `apply` in training mode also counts correct predictions (of the logits the loss
 * is taken of, so nothing is computed twice).
 */
export function observedStep(
  method: TrainingSettings['method'],
  onBatch: (accuracy: number, seconds: number, images: number) => Promise<void>,
  steps: Partial<Record<TrainingSettings['method'], TrainStep>> = {},
): TrainStep {
  const inner = steps[method] ?? (method === 'standard' ? crossEntropyStep : adversarialStep);
  return async (ctx) => {
    // correct predictions on the clean batch and on another input (the adversarial one), last of each
    const correct: { clean: tf.Tensor | null; adversarial: tf.Tensor | null } = { clean: null, adversarial: null };
    const real = ctx.model;
    const view = Object.create(real) as tf.LayersModel;
    view.apply = ((inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }) => {
      const out = real.apply(inputs, kwargs) as tf.Tensor2D;
      if (kwargs?.training) {
        const which = inputs === ctx.x ? 'clean' : 'adversarial';
        correct[which]?.dispose();
        correct[which] = tf.keep(tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(out, 1), tf.cast(ctx.y, 'int32')), 'float32'))));
      }
      return out;
    }) as tf.LayersModel['apply'];
    const t0 = performance.now();
    let loss: number;
    try {
      loss = await inner({ ...ctx, model: view });
    } catch (e) {
      tf.dispose([correct.clean, correct.adversarial].filter((t): t is tf.Tensor => t !== null));
      throw e;
    }
    const seconds = (performance.now() - t0) / 1000;
    const got = correct.adversarial ?? correct.clean;
    if (correct.adversarial) correct.clean?.dispose();
    const n = ctx.y.shape[0];
    let accuracy = Number.NaN;
    if (got) {
      accuracy = (await got.data())[0] / n;
      got.dispose();
    }
    await onBatch(accuracy, seconds, n);
    return loss;
  };
}

/** Clean and (when eps > 0) PGD accuracy of a classifier on a split. */
export async function measure(
  clf: Classifier,
  split: LabeledImages,
  eps: number,
  attack: (eps: number) => EvalAttack,
  signal?: AbortSignal,
): Promise<{ clean: number; robust: number | null }> {
  if (eps > 0) {
    const r = await evaluate(clf, split, { attack: 'run', run: attack(eps) }, { signal });
    return { clean: r.cleanAccuracy, robust: r.robustAccuracy };
  }
  return { clean: (await evaluate(clf, split, { attack: 'none' }, { signal })).cleanAccuracy, robust: null };
}

/** The probe slice: the first PROBE_IMAGES held-out images of a run's data. */
export function probeSlice(data: LabeledImages, holdout: number): LabeledImages {
  const start = data.n - holdout;
  return sliceSplit(data, start, start + Math.min(PROBE_IMAGES, holdout));
}
