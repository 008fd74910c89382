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
  expectedSteps,
  resolveSpec,
  runAttack,
  specFromSettings,
  type AttackOutcome as CoreOutcome,
  type AttackSpec,
  type TraceRecord,
} from '../labs/attacks/algorithms/registry';
import { importCifar10 } from '../core/data/cifar-import';
import { getDataset, imagesAsFloats, loadSplit } from '../core/data/datasets';
import type { LabeledImages } from '../core/data/types';
import { centreCrop, pictureToInput } from '../core/data/photo';
import { benchmarkClassifier } from '../labs/attacks/benchmark';
import type { BackendChoice } from '../labs/experiment';
import { describeModel } from '../core/models/architectures';
import type { ModelCard } from '../core/models/card';
import { loadLayersModel, ModelLoadError, sha256Hex, type LoadedModel } from '../core/models/io';
import { configureWasm, loseDevice, selectBackend, watchDeviceLoss } from './backends';
import { fetchBytes } from './fetch-bytes';
import {
  deleteImported,
  listImported,
  loadImported,
  openStore,
  quotaProblem,
  saveImported,
  StorageError,
  type LabStore,
} from './imported-store';
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
  ImagePrediction,
  InitOptions,
  PreparedImage,
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

/** Pictures larger than this are refused before decoding. */
const MAX_PICTURE_BYTES = 20 * 1024 * 1024;
/** Decoded pictures with more pixels than this are refused (a 50-megapixel photo takes 200 MB as RGBA). */
const MAX_PICTURE_PIXELS = 50e6;
/** The centred square is drawn at most this large before the exact area-averaging (the browser scales bigger squares down first). */
const MAX_DRAW_SIDE = 2048;
/** Your own model: model.json plus weight files, at most this much. */
const MAX_MODEL_BYTES = 200 * 1024 * 1024;

let storePromise: Promise<LabStore> | null = null;

/** The IndexedDB store of imported data, opened once. */
function store(): Promise<LabStore> {
  storePromise ??= openStore().catch((e: unknown) => {
    storePromise = null;
    throw new StorageError(`this browser does not let the lab use IndexedDB (${message(e)}), so imported data cannot be kept`);
  });
  return storePromise;
}

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

/** A picture of the user's as a batch of one, checked against the model's input shape. */
function imageTensor(pixels: Uint8Array, model: LoadedModel): tf.Tensor4D {
  const shape = model.classifier.inputShape;
  if (pixels.length !== shape[0] * shape[1] * shape[2]) {
    throw new Error(`the picture has ${pixels.length} values but the model takes ${shape.join('x')} images`);
  }
  return tf.tensor4d(
    Float32Array.from(pixels, (v) => v / 255),
    [1, ...shape],
  );
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
    if (ds.origin === 'imported') {
      onProgress({ label: `Reading the stored ${ds.name} test images`, done: 0, total: 0, unit: 'bytes' });
      const got = await loadImported(await store(), id);
      if (!got) return { id, n: 0, shape: ds.shape, missing: true } satisfies DatasetSummary;
      datasets.set(id, got.split);
      return { id, n: got.split.n, shape: got.split.shape } satisfies DatasetSummary;
    }
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

  async importDataset(jobId, id, files, onProgress) {
    const ds = getDataset(id);
    if (ds.id !== 'cifar10') throw new Error(`${ds.name} is not imported from files`);
    const controller = startJob(jobId);
    try {
      // everything is read and checked before anything is written: a bad file leaves the stored copy alone
      const result = await importCifar10(files, {
        signal: controller.signal,
        onProgress: (p) =>
          onProgress({ label: p.label === 'Read' ? `Read ${ds.name}` : p.label, done: p.done, total: p.total, unit: 'bytes' }),
      });
      const db = await store();
      const needed = result.test.pixels.length + result.test.labels.length;
      const estimate = (await navigator.storage?.estimate?.().catch(() => null)) ?? null;
      const old = (await listImported(db)).find((x) => x.id === id);
      const problem = quotaProblem(needed, estimate && { usage: (estimate.usage ?? 0) - (old?.bytes ?? 0), quota: estimate.quota });
      if (problem) throw new StorageError(problem);
      if (controller.signal.aborted) throw new DOMException('the import was cancelled', 'AbortError');
      onProgress({
        label: `Storing ${result.test.n.toLocaleString('en-US')} ${ds.name} test images in this browser`,
        done: 0,
        total: 0,
        unit: 'bytes',
      });
      const info = await saveImported(
        db,
        { id, name: `${ds.name} test split`, importedAt: new Date().toISOString(), source: result.source, notes: result.notes },
        result.test,
      );
      datasets.set(id, result.test);
      return info;
    } finally {
      jobs.delete(jobId);
    }
  },

  async importedDatasets() {
    return listImported(await store());
  },

  async deleteImported(id) {
    await deleteImported(await store(), id);
    datasets.delete(id);
  },

  async prepareImage(file, shape, invert) {
    const name = file instanceof File ? file.name : 'the picture';
    if (file.size === 0) throw new Error(`${name} is empty`);
    if (file.size > MAX_PICTURE_BYTES) {
      throw new Error(`${name} is ${(file.size / 1e6).toFixed(0)} MB; pictures up to ${MAX_PICTURE_BYTES / 1024 / 1024} MB are accepted`);
    }
    if (file.type && !file.type.startsWith('image/'))
      throw new Error(`${name} is not an image (its type is ${file.type}); choose a PNG or JPEG`);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      throw new Error(`${name} could not be decoded as an image; choose a PNG or JPEG`);
    }
    try {
      const { width, height } = bitmap;
      if (width * height > MAX_PICTURE_PIXELS) {
        throw new Error(`${name} has ${width}x${height} pixels; pictures up to ${MAX_PICTURE_PIXELS / 1e6} megapixels are accepted`);
      }
      const crop = centreCrop(width, height);
      const side = Math.min(crop.side, MAX_DRAW_SIDE);
      const canvas = new OffscreenCanvas(side, side);
      const ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new Error('this browser cannot draw pictures off screen');
      ctx.imageSmoothingQuality = 'high';
      ctx.drawImage(bitmap, crop.x, crop.y, crop.side, crop.side, 0, 0, side, side);
      const rgba = ctx.getImageData(0, 0, side, side).data;
      const input = pictureToInput(rgba, side, side, 4, shape, invert);
      const out: PreparedImage = {
        pixels: input.pixels,
        shape: input.shape,
        sourceWidth: width,
        sourceHeight: height,
        inverted: input.inverted,
      };
      return Comlink.transfer(out, [out.pixels.buffer]);
    } finally {
      bitmap.close();
    }
  },

  async predictImage(pixels) {
    await recovering;
    const model = requireModel();
    const x = imageTensor(pixels, model.loaded);
    let probs: number[];
    try {
      probs = await probabilities(model.loaded, x);
    } finally {
      x.dispose();
    }
    return { model: model.card.id, probs, predicted: argmax(probs), memory: memory() } satisfies ImagePrediction;
  },

  async loadModelFiles(jobId, files, datasetId, onProgress) {
    await recovering;
    const ds = getDataset(datasetId);
    const total = files.reduce((s, f) => s + f.size, 0);
    if (total > MAX_MODEL_BYTES)
      throw new ModelLoadError(
        `the chosen files hold ${(total / 1e6).toFixed(0)} MB; models up to ${MAX_MODEL_BYTES / 1e6} MB are accepted`,
      );
    const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
    const jsonFile = jsons.find((f) => f.name === 'model.json') ?? jsons[0];
    if (!jsonFile) throw new ModelLoadError('choose the model.json file together with its weight files (.bin)');
    const controller = startJob(jobId);
    try {
      const byName = new Map(files.map((f) => [f.name, f]));
      const json = new Uint8Array(await jsonFile.arrayBuffer());
      const weights = new Map<string, Uint8Array>();
      const shas: { path: string; sha256: string; bytes: number }[] = [];
      let done = 0;
      const loaded = await loadLayersModel(
        json,
        async (path) => {
          const f = byName.get(path.split('/').pop() ?? path);
          if (!f) throw new Error(`it is not among the chosen files: choose ${jsonFile.name} and ${path} together`);
          const bytes = new Uint8Array(await f.arrayBuffer());
          done += bytes.length;
          onProgress({ label: `Loading your model (${jsonFile.name})`, done, total, unit: 'bytes' });
          weights.set(path, bytes);
          shas.push({ path, sha256: await sha256Hex(bytes), bytes: bytes.length });
          return bytes;
        },
        undefined,
        ds.shape,
      );
      if (loaded.classifier.numClasses !== ds.classNames.length) {
        loaded.model.dispose();
        throw new ModelLoadError(
          `the model has ${loaded.classifier.numClasses} outputs but ${ds.name} has ${ds.classNames.length} classes`,
        );
      }
      if (controller.signal.aborted) {
        loaded.model.dispose();
        throw new DOMException('model loading cancelled', 'AbortError');
      }
      const card: ModelCard = {
        schema: 1,
        id: 'own-model',
        dataset: ds.id,
        inputShape: ds.shape,
        classNames: [...ds.classNames],
        output: 'logits',
        architecture: 'your own model',
        layers: describeModel(loaded.model),
        parameters: loaded.model.countParams(),
        recipe: 'user',
        training: `unknown: loaded from your files (${files.map((f) => f.name).join(', ')})`,
        command: '',
        seed: 0,
        epochs: 0,
        selectedEpoch: 0,
        trainingSeconds: 0,
        backend: '',
        tfjsVersion: '',
        cleanAccuracy: { n: 0, accuracy: Number.NaN, command: '' },
        robustAccuracy: [],
        weights: shas,
        notes: [`output: ${loaded.classifier.outputKind}`],
      };
      const previous = active;
      active = { card, files: { json, weights }, loaded };
      previous?.loaded.model.dispose();
      return card;
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
    const custom = req.image !== undefined;
    const split = custom ? null : requireDataset(req.dataset);
    // a picture of the user's has no true label: the reference is the model's clean prediction (set below)
    let label = split ? split.labels[req.sample] : -1;
    const a = req.attack;
    const spec = specFromSettings(a);
    if (!spec) throw new Error('choose an attack first');
    const total = expectedSteps(spec);
    const controller = startJob(req.jobId);
    const backendAtStart = status?.name ?? 'cpu';
    const t0 = performance.now();
    const name = ATTACKS[spec.name].label;
    const progressLabel = custom ? `${name} on your picture` : `${name} on test image ${req.sample}`;
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
      /** What every outcome of this run reports, read when it ends. */
      const outcomeHead = () => ({
        jobId: req.jobId,
        attack: a,
        model: modelId,
        sample: req.sample,
        label,
        custom,
        stepsRun: trace.length,
        seconds: (performance.now() - t0) / 1000,
      });
      if (split) {
        x = sampleTensor(split, req.sample);
      } else {
        x = imageTensor(req.image!, model);
        label = argmax(await probabilities(model, x));
      }
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
        return { status: 'cancelled', ...outcomeHead(), memory: memory() } satisfies AttackOutcome;
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
        ...outcomeHead(),
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
    const spec = specFromSettings(a);
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
