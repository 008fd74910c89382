/**
 * The worker jobs of DP-SGD in the tab (convention: dp-sgd.ts, Opacus's):
 *   - `dpTrain`: Opacus's MNIST network (cnn-opacus) trained from scratch by the shared training loop
 *     (src/core/train/train.ts) with DP-SGD's step and Poisson sampler on the first `slice` training
 *     images, plain SGD at a constant rate, on the active backend. Every `every` steps and after each
 *     epoch it reads epsilon from the chosen accountant for the steps taken so far (a PrivacyAccountant
 *     fed one step at a time) and the accuracy on the first `probe` test images, and streams both. The
 *     finished model is stored as one of the user's models (the defences lab's store: it is then in every
 *     model picker, exportable, usable as a membership-inference target) with a card whose `privacy`
 *     entry has epsilon under every accountant for the steps actually taken. The run is saved in the same
 *     store as the Train panel's (key DP_RUN) every few seconds and when stopped: a paused or reloaded run
 *     resumes at its last saved step, the accountant counting the steps before; no model is stored until
 *     the run ends (Cancel on the page deletes the saved run).
 *   - `dpClip`: the clipping and noise of one step explained on a chosen training image, with the model
 *     chosen in Setup (algorithms/dp-explain.ts).
 *   - `dpMembership`: the loss-threshold membership test on the model chosen in Setup (what DP buys).
 */
import * as tf from '@tensorflow/tfjs';
import { batchTensor, sliceSplit } from '../../core/data/batches';
import { getDataset } from '../../core/data/datasets';
import type { LabeledImages } from '../../core/data/types';
import { evaluate } from '../../core/eval/evaluate';
import { ARCHITECTURES } from '../../core/models/architectures';
import { browserBackendLabel, cardBase } from '../../core/models/card-base';
import type { ModelCard } from '../../core/models/card';
import type { Classifier } from '../../core/models/classifier';
import { storableModel } from '../../core/models/io';
import { Rng } from '../../core/random';
import type { Recipe } from '../../core/train/recipes';
import { train, type CheckpointStore } from '../../core/train/train';
import type { WorkerJobContext } from '../../worker/jobs';
import { deleteRun, freeId, listUserModels, loadRun, saveRun, saveUserModel, USER_RECIPE, userStore } from '../defences/index';
import { PrivacyAccountant } from './algorithms/accountants/accountant';
import { explainClipping, type ClipExplanation } from './algorithms/dp-explain';
import { lossThresholdScores } from './algorithms/mia/loss-threshold';
import { miaMetrics } from './algorithms/mia/metrics';
import { crossEntropyLosses } from './algorithms/mia/outputs';
import { dpSgdStep, poissonBatch, poissonSampler } from './algorithms/dp-sgd';
import { checkDpSettings, DP_RUN, dpPlan, privacyEntry, type DpPlan } from './dp-plan';
import type { DpSettings } from './experiment/dp';

export interface DpTrainRequest {
  jobId: number;
  dataset: string;
  settings: DpSettings;
  /** Go on with the stored run (its own settings) instead. */
  resume?: boolean;
}

/** What a run was started with, stored beside its state (the defences lab's run store, key DP_RUN). */
export interface DpRunRequest {
  dataset: string;
  settings: DpSettings;
  /** Null until the worker has worked it out (the inverse accountant may take seconds). */
  plan: DpPlan | null;
  startedAt: string;
}

/** The readings so far, stored with the run. */
export interface DpLog {
  points: DpPoint[];
}

export { DP_RUN };

/** One reading during a run: epsilon spent after `step` noisy steps, and the probe's test accuracy then. */
export interface DpPoint {
  step: number;
  epoch: number;
  epsilon: number;
  accuracy: number;
  /** Mean training loss of the steps since the previous reading (NaN at step 0). */
  loss: number;
  seconds: number;
}

export type DpEvent =
  { kind: 'start'; plan: DpPlan; settings: DpSettings; dataset: string; points: DpPoint[] } | { kind: 'point'; point: DpPoint };

export interface DpTrainOutcome {
  /** 'paused': stopped with the run saved (resume goes on from its last saved step); no card. */
  status: 'done' | 'paused';
  run: DpRunRequest;
  plan: DpPlan;
  points: DpPoint[];
  card: ModelCard | null;
  seconds: number;
}

/** The network every DP run in the tab trains: Opacus's MNIST SampleConvNet, as the zoo's DP models. */
export const DP_ARCHITECTURE = 'cnn-opacus';

/** The run as a recipe of the shared loop (as the zoo's DP recipes, src/core/train/recipes.ts, on a slice). */
export function dpRecipe(dataset: string, s: DpSettings, plan: DpPlan): Recipe {
  return {
    id: `in-browser-${dataset}-dp-sgd`,
    dataset,
    architecture: DP_ARCHITECTURE,
    epochs: s.epochs,
    batchSize: plan.expectedBatch,
    learningRate: s.learningRate,
    schedule: 'constant',
    optimizer: { kind: 'sgd', momentum: 0, nesterov: false, weightDecay: 0 },
    seed: s.seed,
    holdout: 0,
    dp: { noiseMultiplier: plan.noiseMultiplier, clip: s.clip, sampleRate: plan.sampleRate },
    evaluations: [],
  };
}

const logitsOf = (m: tf.LayersModel, shape: [number, number, number]): Classifier => ({
  logits: (x) => m.apply(x) as tf.Tensor2D,
  inputShape: shape,
  numClasses: 10,
  outputKind: 'logits',
});

async function splits(ctx: WorkerJobContext<unknown>, dataset: string): Promise<{ train: LabeledImages; test: LabeledImages }> {
  const ds = getDataset(dataset);
  const train = await ctx.services.trainingSplit(dataset, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }));
  try {
    return { train, test: ctx.services.dataset(dataset) };
  } catch {
    throw new Error(`the ${ds.name} test images are not loaded: choose ${ds.name} in Setup`);
  }
}

export async function dpTrainJob(ctx: WorkerJobContext<DpEvent>, req: DpTrainRequest): Promise<DpTrainOutcome> {
  const db = await userStore();
  const stored = req.resume ? await loadRun<DpRunRequest, DpLog>(db, DP_RUN) : null;
  if (req.resume && !stored) throw new Error('there is no stored DP-SGD run to resume');
  const run: DpRunRequest = stored
    ? stored.request
    : { dataset: req.dataset, settings: { ...req.settings }, plan: null, startedAt: new Date().toISOString() };
  const s = run.settings;
  const ds = getDataset(run.dataset);
  const { train: trainSplit, test } = await splits(ctx as WorkerJobContext<unknown>, run.dataset);
  const problem = checkDpSettings(s, trainSplit.n);
  if (problem) throw new Error(problem);
  const plan = run.plan ?? dpPlan(s);
  run.plan = plan;
  const data = sliceSplit(trainSplit, 0, s.slice);
  const probe = sliceSplit(test, 0, Math.min(s.probe, test.n));
  const label = `DP-SGD on ${ds.name}: σ ${Number(plan.noiseMultiplier.toPrecision(4))}, C ${s.clip}, q ${Number(plan.sampleRate.toPrecision(4))}`;
  const total = plan.totalSteps;
  // a run saved within an epoch has readings after its last save: they are taken again
  const startStep = stored?.state?.step ?? 0;
  const points: DpPoint[] = (stored?.log.points ?? []).filter((p) => p.step <= startStep);
  if (!stored) await saveRun<DpRunRequest, DpLog>(db, { request: run, state: null, log: { points } }, DP_RUN);
  ctx.progress({
    label,
    done: startStep,
    total,
    unit: 'steps',
    payload: [{ kind: 'start', plan, settings: s, dataset: ds.id, points: [...points] }],
  });

  let model: tf.LayersModel | undefined;
  ctx.onCleanup(() => model?.dispose());
  // the accountant has seen the steps of the run so far (none, or those before the pause)
  const accountant = new PrivacyAccountant(s.accountant);
  if (startStep > 0) accountant.step(plan.noiseMultiplier, plan.sampleRate, startStep);
  const secondsBefore = stored?.state?.seconds ?? 0;
  const t0 = performance.now();
  let steps = startStep;
  let lossSum = 0;
  let lossCount = 0;
  const read = async (m: tf.LayersModel) => {
    const accuracy = (await evaluate(logitsOf(m, ds.shape), probe, { attack: 'none' }, { signal: ctx.signal })).cleanAccuracy;
    const point: DpPoint = {
      step: steps,
      epoch: Math.ceil(steps / plan.stepsPerEpoch),
      epsilon: accountant.spent(s.delta).epsilon,
      accuracy,
      loss: lossCount > 0 ? lossSum / lossCount : Number.NaN,
      seconds: secondsBefore + (performance.now() - t0) / 1000,
    };
    lossSum = 0;
    lossCount = 0;
    points.push(point);
    ctx.progress({ label, done: steps, total, unit: 'steps', payload: [{ kind: 'point', point }] });
  };
  const checkpoint: CheckpointStore = {
    load: async () => stored?.state ?? null,
    save: (state) => saveRun<DpRunRequest, DpLog>(db, { request: run, state, log: { points } }, DP_RUN),
  };
  const inner = dpSgdStep({ noiseMultiplier: plan.noiseMultiplier, clip: s.clip, sampleRate: plan.sampleRate });
  let result;
  try {
    result = await train(dpRecipe(run.dataset, s, plan), data, {
      signal: ctx.signal,
      checkpoint,
      saveEvery: { seconds: 5 },
      sampler: poissonSampler(plan.sampleRate),
      step: async (c) => {
        if (!model) {
          model = c.model;
          if (steps === 0) await read(model);
        }
        const loss = await inner(c);
        steps++;
        accountant.step(plan.noiseMultiplier, plan.sampleRate);
        lossSum += loss;
        lossCount++;
        if (steps % s.every === 0 || steps % plan.stepsPerEpoch === 0) await read(c.model);
        else ctx.progress({ label, done: steps, total, unit: 'steps', loss, payload: [] });
        return loss;
      },
    });
  } catch (e) {
    if (!ctx.signal.aborted) throw e;
    // stopped: the run is saved at its last step (the page deletes it when the user cancelled rather than paused)
    const saved = await loadRun<DpRunRequest, DpLog>(db, DP_RUN);
    return { status: 'paused', run, plan, points: saved?.log.points ?? points, card: null, seconds: saved?.state?.seconds ?? 0 };
  }
  model = result.model;
  const seconds = result.seconds;

  const n = Math.min(s.testImages, test.n);
  ctx.progress({ label: `Measuring the DP model on ${n} test images`, done: 0, total: 0, unit: 'steps', payload: [] });
  const clean = (await evaluate(logitsOf(model, ds.shape), sliceSplit(test, 0, n), { attack: 'none' }, { signal: ctx.signal }))
    .cleanAccuracy;
  const { json, weights, sha256 } = await storableModel(model);
  const sigma = Number(plan.noiseMultiplier.toPrecision(3));
  const id = freeId(
    `${req.dataset}-dp-sigma${sigma}`,
    (await listUserModels(db)).cards.map((c) => c.id),
  );
  const status = ctx.services.backend();
  const privacy = privacyEntry({ ...plan, clip: s.clip, steps, delta: s.delta });
  const card: ModelCard = {
    ...cardBase(model, ds, id, `${DP_ARCHITECTURE}: ${ARCHITECTURES[DP_ARCHITECTURE]}`),
    recipe: USER_RECIPE,
    training:
      `DP-SGD (Abadi et al. 2016, as Opacus): Poisson sampling at rate ${plan.sampleRate} (${plan.stepsPerEpoch} steps an epoch), each example's gradient clipped to norm ${s.clip}, ` +
      `Gaussian noise of std ${plan.noiseMultiplier} x ${s.clip}${s.noise === 'epsilon' ? ` (the noise multiplier for a target epsilon of ${s.target} at delta ${s.delta}, ${s.accountant})` : ''}, divided by the expected batch size ${plan.expectedBatch}; ` +
      `SGD (no momentum), constant lr ${s.learningRate}; in the browser, from scratch, on the first ${s.slice.toLocaleString('en-US')} images of the training file, the last epoch kept`,
    command: `in the Privacy Lab's DP-SGD panel: ${JSON.stringify(s)}`,
    seed: s.seed,
    epochs: s.epochs,
    selectedEpoch: s.epochs,
    trainingSeconds: Math.round(seconds * 10) / 10,
    backend: browserBackendLabel(status, tf.getBackend()),
    tfjsVersion: tf.version.tfjs,
    cleanAccuracy: {
      n,
      accuracy: clean,
      command: `rlab eval --model <export folder>/model.json --dataset ${req.dataset} --n ${n} --attack none`,
    },
    robustAccuracy: [],
    privacy,
    weights: [{ path: 'weights.bin', sha256, bytes: weights.length }],
    notes: [
      'method: dp-sgd',
      `trained in the browser on ${status?.name ?? tf.getBackend()}, ${new Date().toISOString()}`,
      `epsilon at delta ${s.delta}: ${privacy.epsilon.map((e) => `${e.epsilon.toFixed(3)} (${e.accountant})`).join(', ')} after ${steps} noisy steps`,
    ],
  };
  await saveUserModel(db, { id, card, json, weights: [{ path: 'weights.bin', bytes: weights }] });
  await deleteRun(db, DP_RUN);
  return { status: 'done', run, plan, points, card, seconds };
}

export interface DpClipRequest {
  jobId: number;
  dataset: string;
  settings: DpSettings;
}

export interface DpClipOutcome extends ClipExplanation {
  model: string;
  /** Training-split indices of the batch (the chosen image first), and their labels. */
  indices: number[];
  labels: number[];
  /** The chosen image's pixels (for the panel). */
  pixels: Uint8Array;
  shape: [number, number, number];
  sampleRate: number;
}

export async function dpClipJob(ctx: WorkerJobContext, req: DpClipRequest): Promise<DpClipOutcome> {
  const s = req.settings;
  const { train: trainSplit } = await splits(ctx, req.dataset);
  const problem = checkDpSettings(s, trainSplit.n);
  if (problem) throw new Error(problem);
  if (s.image >= s.slice) throw new Error(`training image ${s.image} is outside the run's ${s.slice} training images (0..${s.slice - 1})`);
  let active;
  try {
    active = ctx.services.model();
  } catch {
    throw new Error('choose a model in Setup: its gradients are the ones clipped');
  }
  if (active.card.dataset !== req.dataset)
    throw new Error(`the model in Setup (${active.card.id}) is not a ${getDataset(req.dataset).name} model`);
  if (active.loaded.classifier.outputKind !== 'logits')
    throw new Error(`${active.card.id} ends in softmax: per-example gradients are taken of logits`);
  const plan = dpPlan(s);
  // the chosen image and a Poisson batch of the slice around it (seeded: the same settings draw the same batch)
  const drawn = Array.from(poissonBatch(s.slice, plan.sampleRate, new Rng(s.seed))).filter((i) => i !== s.image);
  const indices = [s.image, ...drawn];
  const { x, y } = batchTensor(trainSplit, indices);
  ctx.onCleanup(() => tf.dispose([x, y]));
  ctx.progress({ label: `Clipping ${indices.length} gradients of ${active.card.id}`, done: 0, total: 1, unit: 'steps', payload: [] });
  const e = await explainClipping(
    active.loaded.model,
    x,
    y,
    { clip: s.clip, noiseMultiplier: plan.noiseMultiplier },
    plan.expectedBatch,
    s.seed,
  );
  const size = trainSplit.shape[0] * trainSplit.shape[1] * trainSplit.shape[2];
  return {
    ...e,
    model: active.card.id,
    indices,
    labels: indices.map((i) => trainSplit.labels[i]),
    pixels: trainSplit.pixels.slice(s.image * size, (s.image + 1) * size),
    shape: trainSplit.shape,
    sampleRate: plan.sampleRate,
  };
}

export interface DpMembershipRequest {
  jobId: number;
  dataset: string;
  settings: DpSettings;
}

/**
 * The loss-threshold membership test (Yeom et al. 2018, algorithms/mia/loss-threshold.ts) on the model
 * chosen in Setup: members are the first K training images (the DP run's training slice; the zoo's models
 * trained on the whole file, or all of it but the last held-out images, so these too), non-members the
 * first K test images, K = the slice (at most the test images). Only the model's logits are read.
 */
export interface DpMembershipOutcome {
  model: string;
  n: number;
  auc: number;
  tprAt001: number;
  tprAt01: number;
  advantage: number;
  memberLoss: number;
  nonMemberLoss: number;
}

async function logitsOn(m: tf.LayersModel, split: LabeledImages, signal: AbortSignal): Promise<Float32Array> {
  const out = new Float32Array(split.n * 10);
  for (let s = 0; s < split.n; s += 250) {
    if (signal.aborted) throw new DOMException('cancelled', 'AbortError');
    const idx = Array.from({ length: Math.min(250, split.n - s) }, (_, i) => s + i);
    const { x, y } = batchTensor(split, idx);
    const z = tf.tidy(() => m.apply(x) as tf.Tensor2D);
    out.set(await z.data(), s * 10);
    tf.dispose([x, y, z]);
  }
  return out;
}

export async function dpMembershipJob(ctx: WorkerJobContext, req: DpMembershipRequest): Promise<DpMembershipOutcome> {
  const { train: trainSplit, test } = await splits(ctx, req.dataset);
  let active;
  try {
    active = ctx.services.model();
  } catch {
    throw new Error('choose a model in Setup: its losses are the ones compared');
  }
  if (active.card.dataset !== req.dataset)
    throw new Error(`the model in Setup (${active.card.id}) is not a ${getDataset(req.dataset).name} model`);
  if (active.loaded.classifier.outputKind !== 'logits') throw new Error(`${active.card.id} ends in softmax: the test reads logits`);
  const n = Math.min(req.settings.slice, test.n, trainSplit.n);
  ctx.progress({ label: `Membership test of ${active.card.id} on ${n} + ${n} images`, done: 0, total: 2, unit: 'steps', payload: [] });
  const members = sliceSplit(trainSplit, 0, n);
  const others = sliceSplit(test, 0, n);
  const lossIn = crossEntropyLosses(await logitsOn(active.loaded.model, members, ctx.signal), members.labels, 10);
  ctx.progress({ label: `Membership test of ${active.card.id} on ${n} + ${n} images`, done: 1, total: 2, unit: 'steps', payload: [] });
  const lossOut = crossEntropyLosses(await logitsOn(active.loaded.model, others, ctx.signal), others.labels, 10);
  const scores = lossThresholdScores([...lossIn, ...lossOut]);
  const truth = Array.from({ length: 2 * n }, (_, i) => i < n);
  const m = miaMetrics(scores, truth);
  const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
  return {
    model: active.card.id,
    n,
    auc: m.auc,
    tprAt001: m.tprAt001,
    tprAt01: m.tprAt01,
    advantage: m.advantage,
    memberLoss: mean(lossIn),
    nonMemberLoss: mean(lossOut),
  };
}
