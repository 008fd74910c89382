/**
 * The compute worker: every tensor lives here. The UI talks to it through comlink (see protocol.ts).
 * State kept here: the active backend, the loaded test splits (plain bytes), and the active model
 * together with its raw files, so that it can be rebuilt on another backend without the network.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import {
  ATTACKS,
  AttackCancelled,
  resolveSpec,
  runAttack,
  specFromParams,
  type AttackOutcome as CoreOutcome,
  type AttackSpec,
  type TraceRecord,
} from '../core/attacks/index';
import { getDataset, imagesAsFloats, loadSplit, type LabeledImages } from '../core/data/datasets';
import { benchmarkClassifier } from '../core/eval/benchmark';
import type { BackendChoice } from '../core/experiment';
import type { ModelCard } from '../core/models/card';
import { loadLayersModel, ModelLoadError, type LoadedModel } from '../core/models/io';
import { configureWasm, loseDevice, selectBackend, watchDeviceLoss } from './backends';
import { fetchBytes } from './fetch-bytes';
import type {
  AttackOutcome,
  AttackRequest,
  BatchExample,
  BatchImageRow,
  BatchOutcome,
  BenchmarkOutcome,
  CurveSeries,
  TracePoint,
  BackendName,
  BackendStatus,
  ComputeApi,
  DatasetSummary,
  ImageBatch,
  InitOptions,
  MemoryInfo,
  Prediction,
  Progress,
  WorkerEvent,
} from './protocol';

interface ModelFiles {
  json: Uint8Array;
  weights: Map<string, Uint8Array>;
}

interface ActiveModel {
  card: ModelCard;
  files: ModelFiles;
  loaded: LoadedModel;
}

let options: InitOptions | null = null;
let emit: (e: WorkerEvent) => void = () => {};
let status: BackendStatus | null = null;
/** Backends whose device was lost in this session: not tried again. */
const lost = new Set<BackendName>();
const datasets = new Map<string, LabeledImages>();
let active: ActiveModel | null = null;
const jobs = new Map<number, AbortController>();
/** Serialises backend changes with the jobs that use tensors. */
let recovering: Promise<void> = Promise.resolve();

function memory(): MemoryInfo {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function startJob(jobId: number): AbortController {
  const c = new AbortController();
  jobs.set(jobId, c);
  return c;
}

function cancelledByFlag(jobId: number): boolean {
  return options?.cancelFlag ? Atomics.load(options.cancelFlag, 0) === jobId : false;
}

async function buildModel(card: ModelCard, files: ModelFiles): Promise<LoadedModel> {
  const sha = Object.fromEntries(card.weights.map((w) => [w.path, w.sha256]));
  const ds = getDataset(card.dataset);
  return loadLayersModel(
    files.json,
    async (path) => {
      const bytes = files.weights.get(path);
      if (!bytes) throw new Error('not downloaded');
      return bytes;
    },
    sha,
    ds.shape,
  );
}

async function activate(choice: BackendChoice, onProgress?: (p: Progress) => void): Promise<BackendStatus> {
  onProgress?.({ label: 'Probing compute backends', done: 0, total: 0, unit: 'steps' });
  const sel = await selectBackend(choice, lost);
  status = {
    name: sel.name,
    requested: choice,
    adapter: sel.adapter,
    skipped: sel.skipped,
    memory: memory(),
    isolated: self.crossOriginIsolated === true,
  };
  const name = sel.name;
  watchDeviceLoss(name, (reason) => {
    recovering = recovering.then(() => recover(name, reason));
  });
  if (active) {
    // weights of the old backend are rebuilt on the new one from the files kept in memory
    onProgress?.({ label: `Rebuilding ${active.card.id} on ${name}`, done: 0, total: 0, unit: 'steps' });
    const old = active.loaded;
    try {
      old.model.dispose();
    } catch {
      // the old device may be gone; its tensors are dropped with it
    }
    active = { ...active, loaded: await buildModel(active.card, active.files) };
  }
  status.memory = memory();
  return status;
}

async function recover(name: BackendName, reason: string): Promise<void> {
  if (!status || status.name !== name) return;
  lost.add(name);
  const requested = status.requested;
  try {
    const next = await activate(requested);
    emit({
      kind: 'backend-changed',
      status: next,
      notice: `${reason}; the lab moved to ${next.name} and reloaded the current model and data.`,
      modelReloaded: active !== null,
    });
  } catch (e) {
    emit({
      kind: 'backend-changed',
      status: { ...status, memory: memory() },
      notice: `${reason}, and no other backend could take over: ${message(e)}`,
      modelReloaded: false,
    });
  }
}

function requireDataset(id: string): LabeledImages {
  const d = datasets.get(id);
  if (!d) throw new Error(`the ${id} test images are not loaded`);
  return d;
}

function requireModel(): ActiveModel {
  if (!active) throw new Error('no model is loaded');
  return active;
}

function sampleTensor(split: LabeledImages, sample: number): tf.Tensor4D {
  if (!Number.isInteger(sample) || sample < 0 || sample >= split.n) throw new Error(`test image ${sample} is outside 0..${split.n - 1}`);
  return tf.tensor4d(imagesAsFloats(split, sample, 1), [1, ...split.shape]);
}

async function probabilities(model: LoadedModel, x: tf.Tensor4D): Promise<number[]> {
  const p = tf.tidy(() => tf.softmax(model.classifier.logits(x)));
  try {
    return Array.from(await p.data());
  } finally {
    p.dispose();
  }
}

/** If the device was lost while a job ran, say so (after the recovery has run) instead of the raw GPU error. */
async function explainDeviceLoss(e: unknown, backendAtStart: BackendName): Promise<Error> {
  await new Promise((r) => setTimeout(r, 50));
  await recovering;
  if (!lost.has(backendAtStart)) return e instanceof Error ? e : new Error(String(e));
  return new Error(
    `the ${backendAtStart} device was lost during the attack (${message(e)}); the lab now runs on ${status?.name ?? 'no backend'}: run the attack again`,
  );
}

/** Fetch a zoo model's files (sha256-checked) and build it on the current backend. */
async function downloadModel(
  card: ModelCard,
  signal: AbortSignal,
  onProgress: (p: Progress) => void,
): Promise<{ files: ModelFiles; loaded: LoadedModel }> {
  const base = options?.baseUrl ?? self.location.origin + '/';
  const dir = new URL(`models/${encodeURIComponent(card.id)}/`, base);
  const label = `Loading model ${card.id}`;
  const totalWeights = card.weights.reduce((s, w) => s + (w.bytes || 0), 0);
  let doneBefore = 0;
  let json: Uint8Array;
  try {
    json = await fetchBytes(new URL('model.json', dir).href, signal, () => {});
  } catch (e) {
    if (signal.aborted) throw e;
    throw new ModelLoadError(`model.json of ${card.id} could not be read (${message(e)})`);
  }
  const weights = new Map<string, Uint8Array>();
  const loaded = await loadLayersModel(
    json,
    async (path) => {
      const bytes = await fetchBytes(new URL(path, dir).href, signal, (done, total) =>
        onProgress({ label, done: doneBefore + done, total: Math.max(totalWeights, doneBefore + total), unit: 'bytes' }),
      );
      doneBefore += bytes.length;
      weights.set(path, bytes);
      return bytes;
    },
    Object.fromEntries(card.weights.map((w) => [w.path, w.sha256])),
    getDataset(card.dataset).shape,
  );
  if (signal.aborted) {
    loaded.model.dispose();
    throw new DOMException('model loading cancelled', 'AbortError');
  }
  return { files: { json, weights }, loaded };
}

/** Roughly how many trace records an attack produces (for the progress bar; early stops end sooner). */
function expectedSteps(spec: AttackSpec): number {
  const r = resolveSpec(spec) as AttackSpec & { steps?: number; restarts?: number; binarySearchSteps?: number; queries?: number };
  switch (r.name) {
    case 'fgsm':
      return 1;
    case 'square':
      return r.queries ?? 1;
    case 'cw':
      return (r.steps ?? 1) * (r.binarySearchSteps ?? 1);
    default:
      return (r.steps ?? 1) * (r.restarts ?? 1);
  }
}

function tracePoint(r: TraceRecord, i = 0): TracePoint {
  return {
    step: r.step,
    restart: r.restart,
    loss: r.loss[i],
    trueProb: r.trueProb[i],
    topOtherClass: r.topOtherClass[i],
    topOtherProb: r.topOtherProb[i],
    margin: r.margin[i],
  };
}

const argmax = (v: number[]) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

/** Predicted class of every image of a batch. */
async function predictBatch(model: LoadedModel, x: tf.Tensor4D): Promise<Int32Array> {
  const p = tf.tidy(() => tf.argMax(model.classifier.logits(x), 1));
  try {
    return Int32Array.from(await p.data());
  } finally {
    p.dispose();
  }
}

const api: ComputeApi = {
  async init(opts, onEvent) {
    options = opts;
    emit = onEvent;
    configureWasm(opts.wasmPaths);
  },

  async setBackend(choice, onProgress) {
    await recovering;
    return activate(choice, onProgress);
  },

  async status() {
    return status ? { ...status, memory: memory() } : null;
  },

  async loadDataset(jobId, id, onProgress) {
    const ds = getDataset(id);
    const have = datasets.get(id);
    if (have) return { id, n: have.n, shape: have.shape };
    const base = options?.baseUrl ?? self.location.origin + '/';
    const controller = startJob(jobId);
    try {
      const sizes = new Map<string, { done: number; total: number }>();
      const report = () => {
        let done = 0;
        let total = 0;
        for (const s of sizes.values()) {
          done += s.done;
          total += s.total;
        }
        onProgress({ label: `Loading ${ds.name} test images`, done, total: sizes.size === 2 ? total : 0, unit: 'bytes' });
      };
      const split = await loadSplit(
        (dsId, file) =>
          fetchBytes(new URL(`data/${dsId}/${file}`, base).href, controller.signal, (done, total) => {
            sizes.set(file, { done, total });
            report();
          }),
        id,
        'test',
      );
      datasets.set(id, split);
      return { id, n: split.n, shape: split.shape } satisfies DatasetSummary;
    } finally {
      jobs.delete(jobId);
    }
  },

  async images(id, start, count) {
    const split = requireDataset(id);
    const s = Math.max(0, Math.min(start, split.n));
    const e = Math.max(s, Math.min(split.n, s + count));
    const size = split.shape[0] * split.shape[1] * split.shape[2];
    const pixels = split.pixels.slice(s * size, e * size);
    const batch: ImageBatch = { start: s, pixels, labels: Array.from(split.labels.subarray(s, e)) };
    return Comlink.transfer(batch, [pixels.buffer]);
  },

  async loadModel(jobId, card, onProgress) {
    await recovering;
    if (active?.card.id === card.id && active.card.weights[0]?.sha256 === card.weights[0]?.sha256) {
      return { id: card.id, weightBytes: active.loaded.weightBytes, outputKind: active.loaded.classifier.outputKind, memory: memory() };
    }
    const controller = startJob(jobId);
    try {
      const { files, loaded } = await downloadModel(card, controller.signal, onProgress);
      // only now is the previous model replaced: a failed load keeps it active
      const previous = active;
      active = { card, files, loaded };
      previous?.loaded.model.dispose();
      return { id: card.id, weightBytes: loaded.weightBytes, outputKind: loaded.classifier.outputKind, memory: memory() };
    } finally {
      jobs.delete(jobId);
    }
  },

  async predict(dataset, sample) {
    await recovering;
    const model = requireModel();
    const split = requireDataset(dataset);
    const x = sampleTensor(split, sample);
    let probs: number[];
    try {
      probs = await probabilities(model.loaded, x);
    } finally {
      x.dispose();
    }
    return {
      dataset,
      model: model.card.id,
      sample,
      label: split.labels[sample],
      probs,
      predicted: argmax(probs),
      memory: memory(),
    } satisfies Prediction;
  },

  async attack(req: AttackRequest, onProgress) {
    await recovering;
    requireModel();
    const split = requireDataset(req.dataset);
    const label = split.labels[req.sample];
    const a = req.attack;
    const spec = specFromParams(a);
    if (!spec) throw new Error('choose an attack first');
    const total = expectedSteps(spec);
    const controller = startJob(req.jobId);
    const backendAtStart = status?.name ?? 'cpu';
    const t0 = performance.now();
    const name = ATTACKS[spec.name].label;
    const progressLabel = `${name} on test image ${req.sample}`;
    const trace: TracePoint[] = [];
    let pending: TracePoint[] = [];
    let lastReport = 0;
    const report = () => {
      const last = trace[trace.length - 1];
      onProgress({ label: progressLabel, done: trace.length, total, unit: 'steps', loss: last?.loss, trace: pending });
      pending = [];
      lastReport = performance.now();
    };
    let other: LoadedModel | null = null;
    let x: tf.Tensor4D | null = null;
    let out: CoreOutcome | null = null;
    try {
      if (req.model && req.model.id !== active!.card.id) {
        if (req.model.dataset !== req.dataset) throw new Error(`${req.model.id} is not a model of ${req.dataset}`);
        other = (await downloadModel(req.model, controller.signal, onProgress)).loaded;
      }
      const model = other ?? active!.loaded;
      const modelId = other ? req.model!.id : active!.card.id;
      x = sampleTensor(split, req.sample);
      // a cancel written into the shared word is seen after every step, even while the loop is synchronous
      if (cancelledByFlag(req.jobId)) controller.abort();
      onProgress({ label: progressLabel, done: 0, total, unit: 'steps', trace: [] });
      const onStep = (r: TraceRecord) => {
        const point = tracePoint(r);
        trace.push(point);
        pending.push(point);
        if (cancelledByFlag(req.jobId)) controller.abort();
        if (performance.now() - lastReport >= 100) report();
      };
      try {
        out = await runAttack(model.classifier, x, [label], spec, { signal: controller.signal, onStep, keepTrace: false });
      } catch (e) {
        if (!(e instanceof AttackCancelled)) throw e;
        // freed before the memory figure below
        x.dispose();
        other?.model.dispose();
        other = null;
        return {
          status: 'cancelled',
          jobId: req.jobId,
          attack: a,
          model: modelId,
          sample: req.sample,
          label,
          stepsRun: trace.length,
          seconds: (performance.now() - t0) / 1000,
          memory: memory(),
        } satisfies AttackOutcome;
      }
      if (pending.length > 0) report();
      const adv = out.adversarial;
      const [cleanProbs, probs] = [await probabilities(model, x), await probabilities(model, adv)];
      const deltaT = tf.sub(adv, x);
      const [pixels, original, delta] = (await Promise.all([adv.data(), x.data(), deltaT.data()])) as Float32Array[];
      deltaT.dispose();
      const predicted = argmax(probs);
      const outcome: AttackOutcome = {
        status: 'done',
        jobId: req.jobId,
        attack: a,
        model: modelId,
        sample: req.sample,
        label,
        stepsRun: trace.length,
        seconds: (performance.now() - t0) / 1000,
        adversarial: {
          pixels,
          original,
          delta,
          cleanProbs,
          probs,
          cleanPredicted: argmax(cleanProbs),
          predicted,
          success: out.success[0] === 1,
          fooled: predicted !== label,
          target: out.targets ? out.targets[0] : null,
          norms: { l0: out.norms.l0[0], l2: out.norms.l2[0], linf: out.norms.linf[0] },
          queries: out.queries[0],
          gradientEvaluations: out.gradientEvaluations,
          trace,
        },
        memory: memory(),
      };
      out.adversarial.dispose();
      out = null;
      x.dispose();
      other?.model.dispose();
      other = null;
      outcome.memory = memory();
      return Comlink.transfer(outcome, [pixels.buffer, original.buffer, delta.buffer]);
    } catch (e) {
      throw await explainDeviceLoss(e, backendAtStart);
    } finally {
      x?.dispose();
      out?.adversarial.dispose();
      other?.model.dispose();
      jobs.delete(req.jobId);
    }
  },

  async robustness(req, onProgress) {
    await recovering;
    const main = requireModel();
    const split = requireDataset(req.dataset);
    const a = req.attack;
    const spec = specFromParams(a);
    if (!spec) throw new Error('choose an attack first');
    resolveSpec(spec);
    const info = ATTACKS[spec.name];
    const first = Math.max(0, Math.min(split.n - 1, Math.floor(req.start ?? 0)));
    const n = Math.max(1, Math.min(split.n - first, Math.floor(req.n)));
    const bs = Math.max(1, Math.min(1000, Math.floor(req.batchSize)));
    const bounded = info.kind === 'bounded';
    const epsilons = [...new Set([...req.epsilons.filter((e) => Number.isFinite(e) && e >= 0), ...(bounded ? [a.eps] : [])])].sort(
      (p, q) => p - q,
    );
    if (epsilons.length === 0) throw new Error('give at least one epsilon');
    const mainEps = bounded ? epsilons.indexOf(a.eps) : -1;
    const controller = startJob(req.jobId);
    const backendAtStart = status?.name ?? 'cpu';
    const t0 = performance.now();
    const size = split.shape[0] * split.shape[1] * split.shape[2];
    const extras = req.extraModels.filter((c) => c.dataset === req.dataset && c.id !== main.card.id);
    const totalImages = n * (1 + extras.length);
    let imagesDone = 0;
    const rows: BatchImageRow[] = [];
    const examples: BatchExample[] = [];
    const curves: CurveSeries[] = [];
    let robustMain = 0;
    let cancelled = false;
    const checkCancel = () => {
      if (cancelledByFlag(req.jobId)) controller.abort();
    };
    const hooks = { signal: controller.signal, keepTrace: false, onStep: checkCancel };

    /** Clean and robust accuracy of one model over the first n images; the main model also gives rows and examples. */
    const evaluateModel = async (model: LoadedModel, id: string, isMain: boolean): Promise<void> => {
      let clean = 0;
      const robust = epsilons.map(() => 0);
      let done = 0;
      for (let start = 0; start < n; start += bs) {
        checkCancel();
        if (controller.signal.aborted) throw new AttackCancelled();
        const count = Math.min(bs, n - start);
        const from = first + start;
        const labels = Array.from(split.labels.subarray(from, from + count));
        const x = tf.tensor4d(imagesAsFloats(split, from, count), [count, ...split.shape]);
        const outs: CoreOutcome[] = [];
        try {
          const cleanPred = await predictBatch(model, x);
          const correct = labels.map((l, i) => cleanPred[i] === l);
          clean += correct.filter(Boolean).length;
          // the seed of a batch is tied to the index of its first image, as in rlab eval
          const seed = (spec.seed ?? 0) + from;
          let atEps: CoreOutcome;
          if (bounded) {
            for (const [k, e] of epsilons.entries()) {
              const out = await runAttack(model.classifier, x, labels, { ...spec, eps: e, seed } as AttackSpec, hooks);
              outs.push(out);
              for (let i = 0; i < count; i++) if (correct[i] && !out.fooled[i]) robust[k]++;
            }
            atEps = outs[mainEps];
          } else {
            atEps = await runAttack(model.classifier, x, labels, { ...spec, seed }, hooks);
            outs.push(atEps);
            for (const [k, e] of epsilons.entries())
              for (let i = 0; i < count; i++) if (correct[i] && (!atEps.fooled[i] || atEps.norms.l2[i] > e)) robust[k]++;
          }
          if (isMain) {
            const needExamples = examples.length < req.maxExamples;
            const adv = needExamples ? ((await atEps.adversarial.data()) as Float32Array) : null;
            for (let i = 0; i < count; i++) {
              const fooled = atEps.fooled[i] === 1;
              if (correct[i] && !fooled) robustMain++;
              rows.push({
                index: from + i,
                label: labels[i],
                cleanPredicted: cleanPred[i],
                advPredicted: atEps.predictions[i],
                fooled,
                l0: atEps.norms.l0[i],
                l2: atEps.norms.l2[i],
                linf: atEps.norms.linf[i],
                queries: atEps.queries[i],
              });
              if (adv && correct[i] && fooled && examples.length < req.maxExamples)
                examples.push({
                  index: from + i,
                  label: labels[i],
                  predicted: atEps.predictions[i],
                  pixels: adv.slice(i * size, (i + 1) * size),
                });
            }
          }
        } finally {
          x.dispose();
          for (const o of outs) o.adversarial.dispose();
        }
        done += count;
        imagesDone += count;
        const seconds = (performance.now() - t0) / 1000;
        onProgress({
          label: `${info.label} on ${n} test images (${id})`,
          done: imagesDone,
          total: totalImages,
          unit: 'images',
          rate: imagesDone / Math.max(seconds, 1e-3),
        });
        // the finished part counts when the run is cancelled
        const series = { model: id, cleanAccuracy: clean / done, robustAccuracy: robust.map((r) => r / done) };
        const at = curves.findIndex((c) => c.model === id);
        if (at >= 0) curves[at] = series;
        else curves.push(series);
      }
    };

    try {
      onProgress({ label: `${info.label} on ${n} test images`, done: 0, total: totalImages, unit: 'images' });
      try {
        await evaluateModel(main.loaded, main.card.id, true);
        for (const card of extras) {
          const { loaded } = await downloadModel(card, controller.signal, onProgress);
          try {
            await evaluateModel(loaded, card.id, false);
          } finally {
            loaded.model.dispose();
          }
        }
      } catch (e) {
        if (!(e instanceof AttackCancelled) && !controller.signal.aborted) throw e;
        cancelled = true;
      }
      const mainCurve = curves.find((c) => c.model === main.card.id);
      const outcome: BatchOutcome = {
        status: cancelled ? 'cancelled' : 'done',
        jobId: req.jobId,
        dataset: req.dataset,
        model: main.card.id,
        attack: a,
        start: first,
        n: rows.length,
        cleanAccuracy: mainCurve?.cleanAccuracy ?? 0,
        robustAccuracy: rows.length > 0 ? robustMain / rows.length : 0,
        epsilons,
        curves,
        rows,
        examples,
        seconds: (performance.now() - t0) / 1000,
        memory: memory(),
      };
      return Comlink.transfer(
        outcome,
        examples.map((x) => x.pixels.buffer),
      );
    } catch (e) {
      throw await explainDeviceLoss(e, backendAtStart);
    } finally {
      jobs.delete(req.jobId);
    }
  },

  async benchmark(req, onProgress) {
    await recovering;
    const model = requireModel();
    const split = requireDataset(req.dataset);
    const n = Math.max(1, Math.min(split.n, Math.floor(req.batchSize)));
    const controller = startJob(req.jobId);
    const x = tf.tensor4d(imagesAsFloats(split, 0, n), [n, ...split.shape]);
    try {
      const r = await benchmarkClassifier(model.loaded.classifier, x, split.labels.subarray(0, n), {
        warmup: req.warmup,
        reps: req.reps,
        pgdSteps: req.pgdSteps,
        pgdReps: req.pgdReps,
        signal: controller.signal,
        onPhase: (phase) =>
          onProgress({ label: `Measuring ${phase} on ${status?.name ?? tf.getBackend()}`, done: 0, total: 0, unit: 'steps' }),
      });
      x.dispose();
      return { ...r, model: model.card.id, adapter: status?.adapter ?? '', memory: memory() } satisfies BenchmarkOutcome;
    } finally {
      x.dispose();
      jobs.delete(req.jobId);
    }
  },

  async cancel(jobId) {
    jobs.get(jobId)?.abort();
  },

  async loseDevice() {
    if (!status) return 'no backend is active';
    return loseDevice(status.name);
  },
};

Comlink.expose(api);
