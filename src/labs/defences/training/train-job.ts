/**
 * The worker jobs of in-browser training: `train` (a new run, or the stored one resumed after a pause or
 * a reload) and `importModel` (an exported model read back, checked and stored). See training.ts for
 * what a run computes; here it meets the worker: the training split, the test split, the base model,
 * IndexedDB, progress and cancellation.
 */
import * as tf from '@tensorflow/tfjs';
import { getDataset } from '../../../core/data/datasets';
import { sliceSplit } from '../../../core/data/batches';
import type { RobustAccuracyEntry, ModelCard } from '../../../core/models/card';
import { browserBackendLabel, cardBase } from '../../../core/models/card-base';
import { loadLayersModel, ModelLoadError, storableModel } from '../../../core/models/io';
import { train, type CheckpointStore, type EpochReport } from '../../../core/train/train';
import type { WorkerJobContext } from '../../../worker/jobs';
import { holdoutPgd } from '../../attacks/index';
import type { TrainingSettings } from '../experiment/training';
import { readExport } from './model-export';
import { tradesStep } from '../algorithms/trades';
import {
  browserRecipe,
  checkSettings,
  describeRun,
  emptyLog,
  measure,
  METHOD_LABELS,
  observedStep,
  overfittingWarning,
  probeSlice,
  runData,
  scratchArchitecture,
  type BatchPoint,
  type ProbePoint,
  type TrainLog,
} from './settings';
import { deleteRun, freeId, listUserModels, loadRun, saveRun, saveUserModel, USER_RECIPE, userStore } from './user-models';

export interface TrainRequest {
  jobId: number;
  dataset: string;
  settings: TrainingSettings;
  /** Fine-tune this model (null: from scratch). */
  base: ModelCard | null;
  /** Go on with the stored run (its own settings and base) instead. */
  resume?: boolean;
}

/** What a run was started with, as stored beside its state. */
export interface RunRequest {
  dataset: string;
  settings: TrainingSettings;
  base: ModelCard | null;
  startedAt: string;
}

/** Streamed while a run goes on. */
export type TrainEvent =
  | { kind: 'start'; run: RunRequest; stepsPerEpoch: number; totalSteps: number; log: TrainLog }
  | { kind: 'batch'; point: BatchPoint; secondsLeft: number | null }
  | { kind: 'probe'; point: ProbePoint }
  | { kind: 'epoch'; point: EpochReport & { step: number } };

export interface TrainOutcome {
  status: 'done' | 'paused';
  run: RunRequest;
  card: ModelCard | null;
  log: TrainLog;
  selectedEpoch: number | null;
  seconds: number;
  warning: string | null;
}

const pgdEntry = (eps: number, n: number, accuracy: number, dataset: string): RobustAccuracyEntry => ({
  attack: 'pgd',
  norm: 'linf',
  eps,
  steps: 10,
  stepSize: eps / 4,
  randomStart: true,
  restarts: 1,
  seed: 0,
  n,
  accuracy,
  command: `rlab eval --model <export folder>/model.json --dataset ${dataset} --attack pgd --eps ${eps} --steps 10 --step-size ${eps / 4} --random-start --n ${n} --seed 0`,
});

export async function trainJob(ctx: WorkerJobContext<TrainEvent>, req: TrainRequest): Promise<TrainOutcome> {
  const { services } = ctx;
  const db = await userStore();
  const stored = req.resume ? await loadRun<RunRequest, TrainLog>(db) : null;
  if (req.resume && !stored) throw new Error('there is no stored run to resume');
  const run: RunRequest = stored
    ? stored.request
    : { dataset: req.dataset, settings: { ...req.settings }, base: req.base, startedAt: new Date().toISOString() };
  const s = run.settings;
  const ds = getDataset(run.dataset);
  const label = `Training ${METHOD_LABELS[s.method]} on ${ds.name}`;
  const trainSplit = await services.trainingSplit(run.dataset, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }));
  const problem = checkSettings(s, trainSplit.n);
  if (problem) throw new Error(problem);
  let test;
  try {
    test = services.dataset(run.dataset);
  } catch {
    throw new Error(`the ${ds.name} test images are not loaded: choose ${ds.name} in Setup (the card is measured on them)`);
  }
  const data = runData(trainSplit, s);

  let base: tf.LayersModel | undefined;
  let trained: tf.LayersModel | undefined;
  ctx.onCleanup(() => {
    if (trained && trained !== base) trained.dispose();
    base?.dispose();
  });
  if (run.base) {
    const b = run.base;
    let active = null;
    try {
      active = services.model();
    } catch {
      // no active model: the base is fetched
    }
    const same =
      active && active.card.id === b.id && active.card.weights.map((w) => w.sha256).join() === b.weights.map((w) => w.sha256).join();
    const loaded = same
      ? await loadLayersModel(
          active!.files.json,
          async (p) => {
            const bytes = active!.files.weights.get(p);
            if (!bytes) throw new Error('not at hand');
            return bytes;
          },
          undefined,
          ds.shape,
        )
      : (await services.downloadModel(b, ctx.signal, (p) => ctx.progress({ ...p, payload: [] }))).loaded;
    base = loaded.model;
    if (loaded.classifier.outputKind !== 'logits')
      throw new Error(`${b.id} ends in softmax: fine-tuning trains on logits, so it needs a model without the softmax layer`);
    if (loaded.classifier.numClasses !== ds.classNames.length)
      throw new Error(`${b.id} has ${loaded.classifier.numClasses} outputs, ${ds.name} ${ds.classNames.length} classes`);
  }
  const architecture = scratchArchitecture(run.dataset);
  const recipe = browserRecipe(run.dataset, s, architecture);
  const log: TrainLog = stored?.log ?? emptyLog();
  const trainImages = data.n - s.holdout;
  const stepsPerEpoch = Math.ceil(trainImages / s.batchSize);
  const totalSteps = stepsPerEpoch * s.epochs;
  const probe = probeSlice(data, s.holdout);
  const startStep = stored?.state?.step ?? 0;
  // a run saved within an epoch has logged batches after its last save: they are done again
  log.batches = log.batches.filter((b) => b.step <= startStep);
  log.probes = log.probes.filter((p) => p.step <= startStep);
  log.epochs = log.epochs.filter((e) => e.step <= startStep);
  const secondsBefore = stored?.state?.seconds ?? 0;
  const t0 = performance.now();
  let next = startStep;
  let pending = { accuracy: Number.NaN, seconds: 0, images: 0 };

  if (!stored) await saveRun(db, { request: run, state: null, log });
  ctx.progress({
    label,
    done: startStep,
    total: totalSteps,
    unit: 'steps',
    payload: [{ kind: 'start', run, stepsPerEpoch, totalSteps, log }],
  });

  const step = observedStep(
    s.method,
    async (accuracy, seconds, images) => {
      pending = { accuracy, seconds, images };
      const done = ++next;
      if (s.probeEvery > 0 && done % s.probeEvery === 0 && done % stepsPerEpoch !== 0) {
        const m = trained ?? base;
        if (!m) return;
        const clf = {
          logits: (x: tf.Tensor4D) => m.apply(x) as tf.Tensor2D,
          inputShape: ds.shape,
          numClasses: 10,
          outputKind: 'logits' as const,
        };
        const r = await measure(clf, probe, s.eps, holdoutPgd);
        const point: ProbePoint = { step: done, clean: r.clean, robust: r.robust };
        log.probes.push(point);
        ctx.progress({ label, done, total: totalSteps, unit: 'steps', payload: [{ kind: 'probe', point }] });
      }
    },
    { trades: tradesStep },
  );
  const checkpoint: CheckpointStore = {
    load: async () => stored?.state ?? null,
    save: async (state) => saveRun(db, { request: run, state, log }),
  };
  // from scratch the loop builds the model; the probe reads it through this hook on the first batch
  const model = base;
  let result;
  try {
    result = await train(recipe, data, {
      model,
      signal: ctx.signal,
      checkpoint,
      saveEvery: { seconds: 5 },
      holdoutAttack: holdoutPgd,
      step: async (c) => {
        trained = c.model;
        return step(c);
      },
      onBatch: (stepIndex, total, loss) => {
        const elapsed = (performance.now() - t0) / 1000;
        const sessionSteps = stepIndex + 1 - startStep;
        const point: BatchPoint = {
          step: stepIndex + 1,
          epoch: Math.floor(stepIndex / stepsPerEpoch) + 1,
          loss,
          accuracy: pending.accuracy,
          imagesPerSecond: pending.seconds > 0 ? pending.images / pending.seconds : 0,
          seconds: secondsBefore + elapsed,
        };
        log.batches.push(point);
        const secondsLeft = sessionSteps > 0 ? (elapsed / sessionSteps) * (total - stepIndex - 1) : null;
        ctx.progress({
          label,
          done: stepIndex + 1,
          total,
          unit: 'steps',
          loss,
          rate: point.imagesPerSecond,
          payload: [{ kind: 'batch', point, secondsLeft }],
        });
      },
      onEpoch: (r) => {
        const point = { ...r, step: r.epoch * stepsPerEpoch };
        log.epochs.push(point);
        ctx.progress({ label, done: point.step, total: totalSteps, unit: 'steps', payload: [{ kind: 'epoch', point }] });
      },
    });
  } catch (e) {
    if (!ctx.signal.aborted) throw e;
    return {
      status: 'paused',
      run,
      card: null,
      log,
      selectedEpoch: null,
      seconds: secondsBefore + (performance.now() - t0) / 1000,
      warning: overfittingWarning(log),
    };
  }
  trained = result.model;
  const seconds = result.seconds;

  // the card: clean and PGD-10 accuracy of the chosen checkpoint on the first test images
  const n = Math.min(s.testImages, test.n);
  ctx.progress({ label: `Measuring the trained model on ${n} test images`, done: 0, total: 0, unit: 'steps', payload: [] });
  const m = result.model;
  const clf = {
    logits: (x: tf.Tensor4D) => m.apply(x) as tf.Tensor2D,
    inputShape: ds.shape,
    numClasses: 10,
    outputKind: 'logits' as const,
  };
  const onTest = await measure(clf, sliceSplit(test, 0, n), s.eps, holdoutPgd, ctx.signal);
  const { json, weights, sha256 } = await storableModel(m);
  const existing = (await listUserModels(db)).cards.map((c) => c.id);
  const id = freeId(`${run.dataset}-${s.method}`, existing);
  const status = services.backend();
  const selected = log.epochs.find((e) => e.epoch === result.selectedEpoch);
  const card: ModelCard = {
    ...cardBase(m, ds, id, run.base ? run.base.architecture : architecture),
    recipe: USER_RECIPE,
    training: describeRun(s, run.dataset, run.base?.id ?? null, trainImages),
    command: `in the Defence Lab's Train panel: ${JSON.stringify(s)}`,
    seed: s.seed,
    epochs: s.epochs,
    selectedEpoch: result.selectedEpoch,
    trainingSeconds: Math.round(seconds * 10) / 10,
    backend: browserBackendLabel(status, tf.getBackend()),
    tfjsVersion: tf.version.tfjs,
    cleanAccuracy: {
      n,
      accuracy: onTest.clean,
      command: `rlab eval --model <export folder>/model.json --dataset ${run.dataset} --n ${n}`,
    },
    robustAccuracy: onTest.robust === null ? [] : [pgdEntry(s.eps, n, onTest.robust, run.dataset)],
    weights: [{ path: 'weights.bin', sha256, bytes: weights.length }],
    notes: [
      `method: ${s.method}`,
      `trained in the browser on ${status?.name ?? tf.getBackend()}, ${new Date().toISOString()}`,
      ...(selected
        ? [
            `checkpoint: epoch ${selected.epoch} of ${s.epochs}, held-out clean ${selected.holdoutClean.toFixed(4)}${selected.holdoutRobust !== null ? `, PGD-10 ${selected.holdoutRobust.toFixed(4)}` : ''} (${s.holdout} images)`,
          ]
        : []),
    ],
  };
  await saveUserModel(db, { id, card, json, weights: [{ path: 'weights.bin', bytes: weights }] });
  await deleteRun(db);
  return { status: 'done', run, card, log, selectedEpoch: result.selectedEpoch, seconds, warning: overfittingWarning(log) };
}

export interface ImportRequest {
  jobId: number;
  files: { name: string; bytes: Uint8Array }[];
}

/**
 * Read an export back: every check (archive, card, files, sizes, sha256 against the card, NaN weights,
 * input shape, classes) passes before anything is written; the store then gains one record (a new id
 * when the card's is taken by other weights).
 */
export async function importModelJob(_ctx: WorkerJobContext, req: ImportRequest): Promise<{ card: ModelCard; already: boolean }> {
  const parsed = readExport(req.files);
  const ds = getDataset(parsed.card.dataset);
  const byPath = new Map(parsed.weights.map((w) => [w.path, w.bytes]));
  const loaded = await loadLayersModel(
    parsed.json,
    async (p) => {
      const b = byPath.get(p);
      if (!b) throw new Error('missing');
      return b;
    },
    Object.fromEntries(parsed.card.weights.map((w) => [w.path, w.sha256])),
    ds.shape,
  );
  const { numClasses, outputKind } = loaded.classifier;
  loaded.model.dispose();
  if (numClasses !== ds.classNames.length)
    throw new ModelLoadError(`the model has ${numClasses} outputs but ${ds.name} has ${ds.classNames.length} classes`);
  if (outputKind !== 'logits') throw new ModelLoadError('the model ends in softmax; the lab stores models that output logits');
  const db = await userStore();
  const { cards } = await listUserModels(db);
  const key = (c: ModelCard) => c.weights.map((w) => w.sha256).join();
  const same = cards.find((c) => key(c) === key(parsed.card));
  if (same) return { card: same, already: true };
  const id = cards.some((c) => c.id === parsed.card.id)
    ? freeId(
        parsed.card.id,
        cards.map((c) => c.id),
      )
    : parsed.card.id;
  const card = { ...parsed.card, id };
  await saveUserModel(db, { id, card, json: parsed.json, weights: parsed.weights });
  return { card, already: false };
}
