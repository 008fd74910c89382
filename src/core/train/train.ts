/**
 * The training loop shared by the CLI (and, later, the browser): Adam with a one-cycle learning
 * rate, seeded shuffling and initialisation, optional FGSM-RS adversarial training, and a
 * checkpoint chosen on held-out training images (by PGD accuracy for adversarial recipes, which
 * catches catastrophic overfitting).
 */
import * as tf from '@tensorflow/tfjs';
import type { LabeledImages } from '../data/datasets';
import { buildModel } from '../models/architectures';
import type { Classifier } from '../models/classifier';
import { Rng } from '../random';
import { inputGradient } from '../attacks/loss';
import { evaluate } from '../eval/evaluate';
import type { Recipe } from './recipes';

export interface EpochReport {
  epoch: number;
  seconds: number;
  imagesPerSecond: number;
  trainLoss: number;
  eps: number;
  holdoutClean: number;
  holdoutRobust: number | null;
  selected: boolean;
}

export interface TrainResult {
  model: tf.Sequential;
  selectedEpoch: number;
  seconds: number;
  history: EpochReport[];
}

export function batchTensor(split: LabeledImages, idx: Int32Array | number[]): { x: tf.Tensor4D; y: tf.Tensor1D } {
  const [h, w, c] = split.shape;
  const size = h * w * c;
  const buf = new Float32Array(idx.length * size);
  const lab = new Int32Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    const k = idx[i];
    const src = split.pixels.subarray(k * size, (k + 1) * size);
    for (let j = 0; j < size; j++) buf[i * size + j] = src[j] / 255;
    lab[i] = split.labels[k];
  }
  return { x: tf.tensor4d(buf, [idx.length, h, w, c]), y: tf.tensor1d(lab, 'int32') };
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

export function oneCycle(step: number, total: number, peak: number): number {
  const up = Math.max(1, Math.floor(0.2 * total));
  return step < up ? (peak * (step + 1)) / up : Math.max(0, (peak * (total - step)) / (total - up));
}

export async function train(
  recipe: Recipe,
  data: LabeledImages,
  opts: { onEpoch?: (r: EpochReport) => void; onBatch?: (step: number, total: number, loss: number) => void; signal?: AbortSignal } = {},
): Promise<TrainResult> {
  const rng = new Rng(recipe.seed);
  const model = buildModel(recipe.architecture, data.shape, 10, rng.seed());
  const clf: Classifier = { logits: (x) => model.apply(x) as tf.Tensor2D, inputShape: data.shape, numClasses: 10, outputKind: 'logits' };
  const trainSet = sliceSplit(data, 0, data.n - recipe.holdout);
  const holdout = sliceSplit(data, data.n - recipe.holdout, data.n);
  const stepsPerEpoch = Math.ceil(trainSet.n / recipe.batchSize);
  const totalSteps = stepsPerEpoch * recipe.epochs;
  const optimizer = tf.train.adam(recipe.learningRate);
  const adv = recipe.adversarial;
  const history: EpochReport[] = [];
  let best: { score: number; epoch: number; weights: tf.Tensor[] } | null = null;
  const t0 = performance.now();
  let step = 0;
  for (let epoch = 1; epoch <= recipe.epochs; epoch++) {
    const te = performance.now();
    const order = rng.permutation(trainSet.n);
    let lossSum = 0;
    const eps = adv ? adv.eps * Math.min(1, epoch / Math.max(1, adv.epsWarmupEpochs)) : 0;
    for (let b = 0; b < stepsPerEpoch; b++, step++) {
      if (opts.signal?.aborted) throw new Error('training cancelled');
      (optimizer as unknown as { learningRate: number }).learningRate = oneCycle(step, totalSteps, recipe.learningRate);
      const { x, y } = batchTensor(trainSet, order.subarray(b * recipe.batchSize, (b + 1) * recipe.batchSize));
      let input: tf.Tensor4D = x;
      if (adv && eps > 0) {
        // FGSM from a random start: delta ~ U(-eps, eps), one step of alpha, project to the ball and [0,1]
        const alpha = (adv.alpha / adv.eps) * eps;
        const start = tf.tidy(
          () => tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -eps, eps, 'float32', rng.seed())), 0, 1) as tf.Tensor4D,
        );
        const { grad } = await inputGradient(clf, start, y);
        input = tf.tidy(() => {
          // tf.sign, not the attacks' exactSign, on purpose: the zoo's robust models were trained with
          // tf.sign (which the wasm backend rounds to 0 for tiny gradients), and their recipes must
          // keep reproducing the same weights bit for bit.
          const moved = tf.add(start, tf.mul(tf.sign(grad), alpha));
          return tf.clipByValue(tf.minimum(tf.maximum(moved, tf.sub(x, eps)), tf.add(x, eps)), 0, 1) as tf.Tensor4D;
        });
        start.dispose();
        grad.dispose();
      }
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(tf.oneHot(y, 10), model.apply(input, { training: true }) as tf.Tensor2D) as tf.Scalar,
        true,
      )!;
      const l = (await loss.data())[0];
      lossSum += l;
      loss.dispose();
      if (input !== x) input.dispose();
      x.dispose();
      y.dispose();
      opts.onBatch?.(step, totalSteps, l);
      if (b % 20 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const seconds = (performance.now() - te) / 1000;
    const clean = (await evaluate(clf, holdout, { attack: 'none' })).cleanAccuracy;
    let robust: number | null = null;
    if (adv) {
      robust = (
        await evaluate(clf, holdout, {
          attack: 'pgd',
          eps: adv.eps,
          steps: 10,
          stepSize: adv.eps / 4,
          randomStart: true,
          restarts: 1,
          seed: 0,
        })
      ).robustAccuracy;
    }
    const score = robust ?? clean;
    const selected = !best || score >= best.score;
    if (selected) {
      best?.weights.forEach((w) => w.dispose());
      best = { score, epoch, weights: model.getWeights().map((w) => w.clone()) };
    }
    const report: EpochReport = {
      epoch,
      seconds,
      imagesPerSecond: trainSet.n / seconds,
      trainLoss: lossSum / stepsPerEpoch,
      eps,
      holdoutClean: clean,
      holdoutRobust: robust,
      selected,
    };
    history.push(report);
    opts.onEpoch?.(report);
  }
  if (best) {
    model.setWeights(best.weights);
    best.weights.forEach((w) => w.dispose());
  }
  optimizer.dispose();
  return { model, selectedEpoch: best?.epoch ?? recipe.epochs, seconds: (performance.now() - t0) / 1000, history };
}
