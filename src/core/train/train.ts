/**
 * The training loop shared by the CLI (and, later, the browser): Adam, or SGD with momentum and
 * weight decay (sgd.ts), with a one-cycle learning rate, seeded shuffling and initialisation,
 * optional FGSM-RS or PGD adversarial training (and an optional fine-tuning phase after it),
 * optional augmentation (random crop and flip), a checkpoint chosen on held-out training images (by
 * PGD accuracy for adversarial recipes, which catches catastrophic overfitting), and a run state
 * saved after every epoch (and, on request, within an epoch and when cancelled) so that a stopped run
 * resumes exactly where it was: a resumed run ends with the same weights, bit for bit, as an
 * uninterrupted one.
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor, sliceSplit } from '../data/batches';
import type { LabeledImages } from '../data/types';
import { buildModel } from '../models/architectures';
import type { Classifier } from '../models/classifier';
import { Rng } from '../random';
import { inputGradient } from '../adversarial/loss';
import { exactSign } from '../adversarial/common';
import { evaluate } from '../eval/evaluate';
import type { EvalAttack } from '../eval/sweep';
import { recipeEpochs, type Recipe } from './recipes';
import { Sgd } from './sgd';

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

/** The part of an epoch a run had done when it was saved within that epoch. */
export interface EpochInProgress {
  /** Batches of the epoch done. */
  batches: number;
  /** The generator's state before the epoch's shuffle (the order is drawn again from it). */
  epochRng: number;
  /** The sum of those batches' losses, and their seconds. */
  lossSum: number;
  seconds: number;
}

/** Everything a run needs to continue after `epochsDone` epochs (and `partial` batches of the next). */
export interface TrainState {
  recipeId: string;
  seed: number;
  /** Every setting of the recipe that shapes training (recipeTraining): a changed recipe is not resumed. */
  recipe: string;
  epochsDone: number;
  step: number;
  rng: number;
  augRng: number;
  seconds: number;
  history: EpochReport[];
  /** The model's weights, in `model.getWeights()` order. */
  weights: Float32Array[];
  /**
   * Adam: its iteration count and moments (`optimizer.getWeights()` order), with its beta-power
   * accumulators in `betaPowers`. SGD: its momentum buffers, in trainable-weight order.
   */
  optimizer: Float32Array[];
  betaPowers?: [number, number];
  best: { score: number; epoch: number; weights: Float32Array[] } | null;
  /** Saved within an epoch: how far that epoch had got. */
  partial?: EpochInProgress;
}

/** Where a run keeps its state (the CLI: files under runs/<recipe>/). */
export interface CheckpointStore {
  load(): Promise<TrainState | null>;
  save(state: TrainState): Promise<void>;
}

export interface TrainResult {
  model: tf.LayersModel;
  selectedEpoch: number;
  seconds: number;
  history: EpochReport[];
}

type AdamInternals = { accBeta1: tf.Variable; accBeta2: tf.Variable };

/** The recipe's optimiser: TensorFlow.js's Adam, or SGD with momentum and weight decay. */
type Optimizer = { kind: 'adam'; adam: tf.Optimizer } | { kind: 'sgd'; sgd: Sgd };

function makeOptimizer(recipe: Recipe, model: tf.LayersModel): Optimizer {
  const o = recipe.optimizer;
  if (!o) return { kind: 'adam', adam: tf.train.adam(recipe.learningRate) };
  const weights = model.trainableWeights;
  // decay the kernels of convolutions and dense layers, not biases or batch norm's scale and shift
  const decay = weights.map((w) => /kernel$/.test(w.originalName));
  return {
    kind: 'sgd',
    sgd: new Sgd(
      weights.map((w) => w.read() as tf.Variable),
      decay,
      o,
    ),
  };
}

/** One update of the trainable weights with given gradients (model.trainableWeights order). */
function applyGradients(opt: Optimizer, model: tf.LayersModel, grads: tf.Tensor[], learningRate: number): void {
  if (opt.kind === 'sgd') {
    opt.sgd.step(grads, learningRate);
    return;
  }
  (opt.adam as unknown as { learningRate: number }).learningRate = learningRate;
  opt.adam.applyGradients(Object.fromEntries(model.trainableWeights.map((w, i) => [(w.read() as tf.Variable).name, grads[i]])));
}

/** One training step on the loss `f`: returns the loss. */
function optimizerStep(opt: Optimizer, f: () => tf.Scalar, learningRate: number): tf.Scalar {
  if (opt.kind === 'adam') {
    (opt.adam as unknown as { learningRate: number }).learningRate = learningRate;
    return opt.adam.minimize(f, true)!;
  }
  const { vars } = opt.sgd;
  const { value, grads } = tf.variableGrads(f, vars);
  opt.sgd.step(
    vars.map((v) => grads[v.name]),
    learningRate,
  );
  tf.dispose(Object.values(grads));
  return value;
}

async function snapshot(
  recipe: Recipe,
  model: tf.LayersModel,
  opt: Optimizer,
  fields: Omit<TrainState, 'recipeId' | 'seed' | 'recipe' | 'weights' | 'optimizer' | 'betaPowers'>,
): Promise<TrainState> {
  const weights = await Promise.all(model.getWeights().map(async (w) => new Float32Array(await w.data())));
  const base = { recipeId: recipe.id, seed: recipe.seed, recipe: recipeTraining(recipe), weights, ...fields };
  if (opt.kind === 'sgd') return { ...base, optimizer: await opt.sgd.state() };
  const named = await opt.adam.getWeights();
  const optimizer = await Promise.all(named.map(async (n) => new Float32Array(await n.tensor.data())));
  // getWeights() makes its iteration count a new scalar (the moments are the optimiser's own variables)
  if (named[0]?.name === 'iter') named[0].tensor.dispose();
  const adam = opt.adam as unknown as AdamInternals;
  const betaPowers: [number, number] = [(await adam.accBeta1.data())[0], (await adam.accBeta2.data())[0]];
  return { ...base, optimizer, betaPowers };
}

/** The recipe without what does not change the weights (its card evaluations), as stable JSON. */
export function recipeTraining(recipe: Recipe): string {
  const { evaluations: _evaluations, ...training } = recipe;
  const sorted = (v: unknown): unknown =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : v;
  return JSON.stringify(sorted(training));
}

async function restore(state: TrainState, model: tf.LayersModel, opt: Optimizer): Promise<void> {
  const current = model.getWeights();
  if (state.weights.length !== current.length || state.weights.some((w, i) => w.length !== current[i].size)) {
    throw new Error('the saved run state does not fit this architecture (delete it to start over)');
  }
  const ws = state.weights.map((w, i) => tf.tensor(w, current[i].shape));
  model.setWeights(ws);
  tf.dispose(ws);
  if (opt.kind === 'sgd') {
    opt.sgd.setState(state.optimizer);
    return;
  }
  const shapes = model.trainableWeights.map((w) => w.shape as number[]);
  if (state.optimizer.length !== 1 + 2 * shapes.length || !state.betaPowers)
    throw new Error('the saved optimizer state does not fit this model');
  const named: { name: string; tensor: tf.Tensor }[] = state.optimizer.map((v, i) => ({
    name: i === 0 ? 'iter' : `m${i}`,
    tensor: i === 0 ? tf.scalar(v[0], 'int32') : tf.tensor(v, shapes[(i - 1) % shapes.length]),
  }));
  await opt.adam.setWeights(named);
  tf.dispose(named.map((n) => n.tensor));
  const adam = opt.adam as unknown as AdamInternals;
  const [b1, b2] = state.betaPowers;
  tf.tidy(() => {
    adam.accBeta1.assign(tf.scalar(b1));
    adam.accBeta2.assign(tf.scalar(b2));
  });
}

/** A generator in a saved state. */
function rngAt(state: number): Rng {
  const r = new Rng(0);
  r.setState(state);
  return r;
}

export function oneCycle(step: number, total: number, peak: number): number {
  const up = Math.max(1, Math.floor(0.2 * total));
  return step < up ? (peak * (step + 1)) / up : Math.max(0, (peak * (total - step)) / (total - up));
}

/** The learning rate of step `step` (from 0): the main phase's one-cycle schedule (or constant), then the fine-tuning phase's own. */
export function learningRateAt(recipe: Recipe, stepsPerEpoch: number, step: number): number {
  if (recipe.schedule === 'constant') return recipe.learningRate;
  const mainSteps = stepsPerEpoch * recipe.epochs;
  const ft = recipe.fineTune;
  return step < mainSteps || !ft
    ? oneCycle(step, mainSteps, recipe.learningRate)
    : oneCycle(step - mainSteps, stepsPerEpoch * ft.epochs, ft.learningRate);
}

/**
 * What a training step is given: the model, one batch, and how to apply a gradient step (the recipe's
 * optimiser at this step's learning rate). A step function computes its loss, applies it, and returns
 * the batch's loss; the loop (order, augmentation, schedule, checkpoints, holdout) is the same for all.
 * Adversarial training is a step function; TRADES, DP-SGD and federated local training are others.
 */
export interface StepContext {
  model: tf.LayersModel;
  x: tf.Tensor4D;
  y: tf.Tensor1D;
  learningRate: number;
  /** Minimise f with the recipe's optimiser at this step's learning rate; the caller disposes the loss. */
  apply: (f: () => tf.Scalar) => tf.Scalar;
  /**
   * Apply gradients the step computed itself (DP-SGD's clipped and noised sum), one per trainable weight
   * in model.trainableWeights order, with the recipe's optimiser at this step's learning rate (the caller
   * keeps and disposes them).
   */
  applyGradients?: (grads: tf.Tensor[]) => void;
  /** Images in the training set (DP-SGD divides by the expected batch size, sample rate x this). */
  trainSize?: number;
  labelSmoothing: number;
  /** The run's random stream (its state is saved with the run, so a resumed run draws the same). */
  rng: Rng;
  /** The recipe's adversarial training at this epoch (eps after its warm-up), if any. */
  adversarial?: { method: 'fgsm-rs' | 'pgd' | 'trades'; eps: number; alpha: number; steps?: number; beta?: number; crafter: Classifier };
}

export type TrainStep = (ctx: StepContext) => Promise<number>;

/**
 * How an epoch's batches are drawn when not by a seeded shuffle cut into recipe.batchSize pieces: e.g.
 * DP-SGD's Poisson sampling (every image in each batch independently, variable batch sizes). `draw`
 * must draw only from the generator it is given (a resumed run draws the same batches again).
 */
export interface BatchSampler {
  stepsPerEpoch(n: number): number;
  draw(n: number, rng: Rng): Int32Array[];
}

/** One step of cross-entropy (with the recipe's label smoothing) on a batch of inputs. */
async function crossEntropyOn(ctx: StepContext, input: tf.Tensor4D): Promise<number> {
  const loss = ctx.apply(
    () =>
      tf.losses.softmaxCrossEntropy(
        tf.oneHot(ctx.y, 10),
        ctx.model.apply(input, { training: true }) as tf.Tensor2D,
        undefined,
        ctx.labelSmoothing,
      ) as tf.Scalar,
  );
  try {
    return (await loss.data())[0];
  } finally {
    loss.dispose();
  }
}

/** Standard training: cross-entropy on the clean batch. */
export const crossEntropyStep: TrainStep = (ctx) => crossEntropyOn(ctx, ctx.x);

/**
 * Adversarial training (FGSM-RS, Wong et al. 2020; PGD, Madry et al. 2018): the batch is replaced by
 * adversarial examples crafted on the network (in the recipe's mode), then one cross-entropy step.
 */
export const adversarialStep: TrainStep = async (ctx) => {
  const adv = ctx.adversarial;
  if (!adv) return crossEntropyStep(ctx);
  if (adv.method === 'trades') throw new Error("adversarialStep does not train TRADES: use the defences lab's tradesStep");
  const { x, y, rng } = ctx;
  const { eps, alpha, crafter } = adv;
  // FGSM from a random start: delta ~ U(-eps, eps), one step of alpha, project to the ball and [0,1],
  // on the network in the recipe's mode (craftIn: inference by default, or training as Wong et al.)
  let input = tf.tidy(() => tf.clipByValue(tf.add(x, tf.randomUniform(x.shape, -eps, eps, 'float32', rng.seed())), 0, 1) as tf.Tensor4D);
  for (let k = 0; k < (adv.method === 'pgd' ? (adv.steps ?? 1) : 1); k++) {
    const { grad } = await inputGradient(crafter, input, y);
    const moved = tf.tidy(() => {
      // FGSM-RS keeps tf.sign, not the attacks' exactSign, on purpose: the zoo's FGSM-RS models were
      // trained with tf.sign (which the wasm backend rounds to 0 for tiny gradients), and their
      // recipes must keep reproducing the same weights bit for bit. PGD uses the exact sign.
      const sign = adv.method === 'pgd' ? exactSign(grad) : tf.sign(grad);
      const stepped = tf.add(input, tf.mul(sign, alpha));
      return tf.clipByValue(tf.minimum(tf.maximum(stepped, tf.sub(x, eps)), tf.add(x, eps)), 0, 1) as tf.Tensor4D;
    });
    input.dispose();
    grad.dispose();
    input = moved;
  }
  try {
    return await crossEntropyOn(ctx, input);
  } finally {
    input.dispose();
  }
};

export async function train(
  recipe: Recipe,
  data: LabeledImages,
  opts: {
    onEpoch?: (r: EpochReport) => void;
    onBatch?: (step: number, total: number, loss: number) => void;
    /** Cancels the run between two batches; with a checkpoint store the run is saved first. */
    signal?: AbortSignal;
    /** Saves the run after every epoch and resumes a saved run. */
    checkpoint?: CheckpointStore;
    /**
     * Also saves the run within an epoch, after the first batch that ends this many seconds after the
     * last save (or after every `batches` batches). Saving does not change what the run computes.
     */
    saveEvery?: { seconds?: number; batches?: number };
    /** Stop (with the state saved) after this many epochs in total; the result is then partial. */
    stopAfterEpoch?: number;
    /**
     * The attack that measures holdout robustness after each epoch of an adversarial recipe (the best
     * checkpoint is chosen by it). The zoo's recipes use PGD-10 from a random start with steps of
     * eps / 4 (`holdoutPgd` in the attacks lab); required when the recipe trains adversarially.
     */
    holdoutAttack?: (eps: number) => EvalAttack;
    /** The step function (default: adversarialStep for adversarial recipes, crossEntropyStep otherwise). */
    step?: TrainStep;
    /** The epoch's batches (default: a seeded shuffle cut into batches of recipe.batchSize). */
    sampler?: BatchSampler;
    /**
     * Fine-tuning: train this model (its weights change in place; it must output logits) instead of a
     * new one of the recipe's architecture. The initialisation seed is drawn all the same, so every
     * other draw of the run is as it would be from scratch.
     */
    model?: tf.LayersModel;
    /** The weights of the recipe's `initFrom` model (`getWeights()` order), required when it has one. */
    initialWeights?: Float32Array[];
  } = {},
): Promise<TrainResult & { complete: boolean }> {
  const rng = new Rng(recipe.seed);
  const initSeed = rng.seed();
  const model = opts.model ?? buildModel(recipe.architecture, data.shape, 10, initSeed, { batchNormMomentum: recipe.batchNormMomentum });
  // a separate stream, so that augmentation leaves every other draw of a recipe unchanged
  const augRng = new Rng(recipe.seed ^ 0x5bd1e995);
  const clf: Classifier = { logits: (x) => model.apply(x) as tf.Tensor2D, inputShape: data.shape, numClasses: 10, outputKind: 'logits' };
  const inTrainingMode: Classifier = { ...clf, logits: (x) => model.apply(x, { training: true }) as tf.Tensor2D };
  if (recipe.initFrom) {
    const w = opts.initialWeights;
    const shapes = model.getWeights().map((t) => t.shape);
    if (!w || w.length !== shapes.length || w.some((a, i) => a.length !== shapes[i].reduce((p, d) => p * d, 1)))
      throw new Error(
        `recipe ${recipe.id} fine-tunes ${recipe.initFrom}: give train() its weights (${shapes.length} tensors of ${recipe.architecture})`,
      );
    const ws = w.map((a, i) => tf.tensor(a, shapes[i]));
    model.setWeights(ws);
    tf.dispose(ws);
  }
  // a noise-augmented recipe chooses its checkpoint by the accuracy under the same noise (one fixed draw)
  const noise = recipe.augment?.gaussianNoise ?? 0;
  const holdoutClf: Classifier =
    noise > 0
      ? { ...clf, logits: (x) => tf.tidy(() => clf.logits(x.add(tf.randomNormal(x.shape, 0, noise, 'float32', recipe.seed)))) }
      : clf;
  const trainSet = sliceSplit(data, 0, data.n - recipe.holdout);
  const holdout = sliceSplit(data, data.n - recipe.holdout, data.n);
  const stepsPerEpoch = opts.sampler ? opts.sampler.stepsPerEpoch(trainSet.n) : Math.ceil(trainSet.n / recipe.batchSize);
  const ft = recipe.fineTune;
  const epochs = recipeEpochs(recipe);
  const totalSteps = stepsPerEpoch * epochs;
  const learningRate = (s: number) => learningRateAt(recipe, stepsPerEpoch, s);
  const optimizer = makeOptimizer(recipe, model);
  // the holdout's PGD-10 (which chooses the checkpoint) is at the main phase's eps when it has one
  const holdoutEps = (recipe.adversarial ?? ft?.adversarial)?.eps;
  const holdoutAttack =
    opts.holdoutAttack ??
    (() => {
      throw new Error(`recipe ${recipe.id} trains adversarially: give train() the holdoutAttack that measures its robustness`);
    });
  if (holdoutEps !== undefined && !opts.holdoutAttack) holdoutAttack(holdoutEps);
  if ((recipe.adversarial?.method === 'trades' || ft?.adversarial.method === 'trades') && !opts.step)
    throw new Error(`recipe ${recipe.id} trains with TRADES: give train() its step function (the defences lab's tradesStep)`);
  if (recipe.dp && (!opts.step || !opts.sampler))
    throw new Error(`recipe ${recipe.id} trains with DP-SGD: give train() its step and Poisson sampler (the privacy lab's dpSgdTraining)`);
  const history: EpochReport[] = [];
  let best: { score: number; epoch: number; weights: tf.Tensor[] } | null = null;
  let t0 = performance.now();
  let step = 0;
  let firstEpoch = 1;
  let inProgress: EpochInProgress | undefined;
  const saved = await opts.checkpoint?.load();
  if (saved) {
    if (saved.recipeId !== recipe.id || saved.seed !== recipe.seed)
      throw new Error(`the saved run is of ${saved.recipeId} seed ${saved.seed}`);
    // a run of the recipe as it was before a fine-tuning phase was added goes on into that phase
    const before = ft && saved.epochsDone <= recipe.epochs && saved.recipe === recipeTraining({ ...recipe, fineTune: undefined });
    if (saved.recipe !== recipeTraining(recipe) && !before)
      throw new Error(`the saved run of ${recipe.id} was made with other recipe settings; start over with --fresh`);
    if (saved.epochsDone > 0 || saved.partial) {
      await restore(saved, model, optimizer);
      inProgress = saved.partial;
      rng.setState(saved.rng);
      augRng.setState(saved.augRng);
      step = saved.step;
      firstEpoch = saved.epochsDone + 1;
      history.push(...saved.history);
      t0 -= saved.seconds * 1000;
      if (saved.best)
        best = {
          score: saved.best.score,
          epoch: saved.best.epoch,
          weights: saved.best.weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)),
        };
    }
  }
  let lastSave = performance.now();
  /** Saves the run after `epochsDone` epochs and `atStep` steps (and `partial` batches of the next epoch). */
  const save = async (epochsDone: number, atStep: number, partial?: EpochInProgress) => {
    await opts.checkpoint!.save(
      await snapshot(recipe, model, optimizer, {
        epochsDone,
        step: atStep,
        rng: rng.getState(),
        augRng: augRng.getState(),
        seconds: (performance.now() - t0) / 1000,
        history: [...history],
        best: best && {
          score: best.score,
          epoch: best.epoch,
          weights: await Promise.all(best.weights.map(async (w) => new Float32Array(await w.data()))),
        },
        ...(partial && { partial }),
      }),
    );
    lastSave = performance.now();
  };
  let complete = true;
  for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
    if (opts.stopAfterEpoch !== undefined && epoch > opts.stopAfterEpoch) {
      complete = false;
      break;
    }
    // a run saved within this epoch draws the same order again and goes on after its last batch
    const part = epoch === firstEpoch ? inProgress : undefined;
    const epochRng = part ? part.epochRng : rng.getState();
    const epochDraw = part ? rngAt(part.epochRng) : rng;
    const drawn = opts.sampler?.draw(trainSet.n, epochDraw);
    const order = drawn ? new Int32Array(0) : epochDraw.permutation(trainSet.n);
    const te = performance.now() - (part?.seconds ?? 0) * 1000;
    let lossSum = part?.lossSum ?? 0;
    const fineTuning = ft !== undefined && epoch > recipe.epochs;
    const adv = fineTuning ? ft.adversarial : recipe.adversarial;
    const crafter = adv?.craftIn === 'training' ? inTrainingMode : clf;
    const eps = !adv ? 0 : fineTuning ? adv.eps : adv.eps * Math.min(1, epoch / Math.max(1, recipe.adversarial!.epsWarmupEpochs));
    const saveWithin = (batches: number, atStep: number) =>
      save(epoch - 1, atStep, { batches, epochRng, lossSum, seconds: (performance.now() - te) / 1000 });
    for (let b = part?.batches ?? 0; b < stepsPerEpoch; b++, step++) {
      if (opts.signal?.aborted) {
        if (opts.checkpoint && b > 0) await saveWithin(b, step);
        // the optimiser's state and the best checkpoint are the loop's own (the model is the caller's)
        best?.weights.forEach((w) => w.dispose());
        if (optimizer.kind === 'adam') optimizer.adam.dispose();
        else optimizer.sgd.dispose();
        throw new Error('training cancelled');
      }
      const { x, y } = batchTensor(
        trainSet,
        drawn ? drawn[b] : order.subarray(b * recipe.batchSize, (b + 1) * recipe.batchSize),
        recipe.augment,
        augRng,
      );
      const stepFn = opts.step ?? (adv ? adversarialStep : crossEntropyStep);
      const l = await stepFn({
        model,
        x,
        y,
        learningRate: learningRate(step),
        apply: (f) => optimizerStep(optimizer, f, learningRate(step)),
        applyGradients: (grads) => applyGradients(optimizer, model, grads, learningRate(step)),
        trainSize: trainSet.n,
        labelSmoothing: recipe.labelSmoothing ?? 0,
        rng,
        adversarial: adv && eps > 0 ? { ...adv, eps, alpha: (adv.alpha / adv.eps) * eps, crafter } : undefined,
      });
      lossSum += l;
      x.dispose();
      y.dispose();
      opts.onBatch?.(step, totalSteps, l);
      const every = opts.saveEvery;
      if (
        opts.checkpoint &&
        every &&
        b + 1 < stepsPerEpoch &&
        ((every.batches !== undefined && (b + 1 - (part?.batches ?? 0)) % every.batches === 0) ||
          (every.seconds !== undefined && performance.now() - lastSave >= every.seconds * 1000))
      ) {
        await saveWithin(b + 1, step + 1);
      }
      if (b % 20 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    const seconds = (performance.now() - te) / 1000;
    // no holdout (e.g. DP recipes, which train on the whole training file as Opacus does): the last epoch is kept
    const clean = holdout.n > 0 ? (await evaluate(holdoutClf, holdout, { attack: 'none' })).cleanAccuracy : NaN;
    let robust: number | null = null;
    if (holdoutEps !== undefined) {
      robust = (await evaluate(clf, holdout, { attack: 'run', run: holdoutAttack(holdoutEps) })).robustAccuracy;
    }
    const score = robust ?? clean;
    const selected = !best || score >= best.score || holdout.n === 0;
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
    if (opts.checkpoint) await save(epoch, step);
  }
  if (best) {
    model.setWeights(best.weights);
    best.weights.forEach((w) => w.dispose());
  }
  if (optimizer.kind === 'adam') optimizer.adam.dispose();
  else optimizer.sgd.dispose();
  return { model, selectedEpoch: best?.epoch ?? epochs, seconds: (performance.now() - t0) / 1000, history, complete };
}
