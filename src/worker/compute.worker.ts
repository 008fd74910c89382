/**
 * The compute worker: every tensor lives here. The UI talks to it through comlink (see protocol.ts).
 * State kept here: the active backend, the loaded test splits (plain bytes), and the active model
 * together with its raw files, so that it can be rebuilt on another backend without the network.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { importCifar10 } from '../core/data/cifar-import';
import { decodeSplit, getDataset, imagesAsFloats, loadSplit, splitFiles } from '../core/data/datasets';
import { gunzipSync } from 'fflate';
import { userModelFiles } from '../labs/defences/index';
import type { LabeledImages } from '../core/data/types';
import { loadTextSet, SPAM_ASSASSIN, type LabeledMails } from '../core/data/text';
import type { Progress } from '../core/jobs';
import { centreCrop, pictureToInput } from '../core/data/photo';
import { benchmarkClassifier } from '../labs/attacks/benchmark';
import type { BackendChoice } from '../labs/experiment';
import { cardBase } from '../core/models/card-base';
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
import { runWorkerJob, type ActiveModel, type JobHost, type ModelFiles, type WorkerJobContext, type WorkerServices } from './jobs';
import { LAB_JOBS, type JobName, type JobPayload, type JobRequest, type JobResult, type LabName } from './lab-jobs';
import { argmax, imageTensor, probabilities, sampleTensor } from './tensors';
import type { ComputeApi } from './api';
import type {
  BenchmarkOutcome,
  BackendName,
  BackendStatus,
  DatasetSummary,
  ImageBatch,
  ImagePrediction,
  InitOptions,
  PreparedImage,
  MemoryInfo,
  Prediction,
  WorkerEvent,
} from './protocol';

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
    ...(sel.probe ? { probe: sel.probe } : {}),
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

/** Fetch a zoo model's files (sha256-checked) and build it on the current backend. */
async function downloadModel(
  card: ModelCard,
  signal: AbortSignal,
  onProgress: (p: Progress<never>) => void,
): Promise<{ files: ModelFiles; loaded: LoadedModel }> {
  // a model of the user's (trained or imported in this browser) comes from IndexedDB, checked the same way
  const own = await userModelFiles(card);
  if (own) {
    const loaded = await loadLayersModel(
      own.json,
      async (path) => {
        const bytes = own.weights.get(path);
        if (!bytes) throw new Error('not stored');
        return bytes;
      },
      Object.fromEntries(card.weights.map((w) => [w.path, w.sha256])),
      getDataset(card.dataset).shape,
    );
    return { files: own, loaded };
  }
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

/** The training split kept for in-browser training (one data set at a time: 47 MB for MNIST). */
let trainSplit: { id: string; split: LabeledImages } | null = null;

async function trainingSplit(id: string, signal: AbortSignal, onProgress: (p: Progress<never>) => void): Promise<LabeledImages> {
  const ds = getDataset(id);
  if (trainSplit?.id === id) return trainSplit.split;
  if (ds.origin === 'imported')
    throw new Error(
      `${ds.name}'s training images are not kept in this browser (the import keeps the test split only): train on MNIST or Fashion-MNIST here, or with rlab train`,
    );
  const base = options?.baseUrl ?? self.location.origin + '/';
  const files = splitFiles('train');
  const sizes = new Map<string, { done: number; total: number }>();
  const label = `Loading ${ds.name} training images`;
  const get = async (file: string) => {
    const bytes = await fetchBytes(new URL(`data/${ds.id}/${file}.gz`, base).href, signal, (done, total) => {
      sizes.set(file, { done, total });
      let d = 0;
      let t = 0;
      for (const v of sizes.values()) {
        d += v.done;
        t += v.total;
      }
      onProgress({ label, done: d, total: sizes.size === 2 ? t : 0, unit: 'bytes' });
    });
    // a server may have sent it decompressed already (Content-Encoding): gunzip only a gzip stream
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  };
  let img: Uint8Array;
  let lbl: Uint8Array;
  try {
    [img, lbl] = await Promise.all([get(files.images), get(files.labels)]);
  } catch (e) {
    if (signal.aborted) throw e;
    throw new Error(`the ${ds.name} training images could not be read (${message(e)}); run npm run prepare-data`, { cause: e });
  }
  const split = decodeSplit(ds, 'train', img, lbl);
  trainSplit = { id, split };
  return split;
}

/** The text set kept for the federated spam filter (3.5 MB gzip'd, split once). */
let textSplit: { id: string; split: { train: LabeledMails; test: LabeledMails } } | null = null;

async function textSet(
  id: string,
  signal: AbortSignal,
  onProgress: (p: Progress<never>) => void,
): Promise<{ train: LabeledMails; test: LabeledMails }> {
  if (id !== SPAM_ASSASSIN.id) throw new Error(`no text set ${id} (the text set is ${SPAM_ASSASSIN.id})`);
  if (textSplit?.id === id) return textSplit.split;
  const base = options?.baseUrl ?? self.location.origin + '/';
  const label = `Loading the ${SPAM_ASSASSIN.name} mails`;
  let split;
  try {
    split = await loadTextSet((dsId, file) =>
      fetchBytes(new URL(`data/${dsId}/${file}`, base).href, signal, (done, total) => onProgress({ label, done, total, unit: 'bytes' })),
    );
  } catch (e) {
    if (signal.aborted) throw e;
    throw new Error(`the ${SPAM_ASSASSIN.name} mails could not be read (${message(e)}); run npm run prepare-data`, { cause: e });
  }
  textSplit = { id, split };
  return split;
}

/** What every job is given (see jobs.ts): the worker's state behind a small interface. */
const services: WorkerServices = {
  backend: () => status,
  model: requireModel,
  dataset: requireDataset,
  downloadModel,
  trainingSplit,
  textSet,
  store,
  memory,
};

const host: JobHost = {
  services,
  cancelSlots: () => options?.cancelSlots ?? null,
  recovered: () => recovering,
  lost,
  running: jobs,
};

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
    return runWorkerJob(
      host,
      jobId,
      onProgress,
      async (ctx) => {
        const sizes = new Map<string, { done: number; total: number }>();
        const report = () => {
          let done = 0;
          let total = 0;
          for (const s of sizes.values()) {
            done += s.done;
            total += s.total;
          }
          ctx.progress({ label: `Loading ${ds.name} test images`, done, total: sizes.size === 2 ? total : 0, unit: 'bytes' });
        };
        const split = await loadSplit(
          (dsId, file) =>
            fetchBytes(new URL(`data/${dsId}/${file}`, base).href, ctx.signal, (done, total) => {
              sizes.set(file, { done, total });
              report();
            }),
          id,
          'test',
        );
        datasets.set(id, split);
        return { id, n: split.n, shape: split.shape } satisfies DatasetSummary;
      },
      { usesTensors: false },
    );
  },

  async importDataset(jobId, id, files, onProgress) {
    const ds = getDataset(id);
    if (ds.id !== 'cifar10') throw new Error(`${ds.name} is not imported from files`);
    return runWorkerJob(
      host,
      jobId,
      onProgress,
      async (ctx) => {
        // everything is read and checked before anything is written: a bad file leaves the stored copy alone
        const result = await importCifar10(files, {
          signal: ctx.signal,
          onProgress: (p) =>
            ctx.progress({ label: p.label === 'Read' ? `Read ${ds.name}` : p.label, done: p.done, total: p.total, unit: 'bytes' }),
        });
        const db = await store();
        const needed = result.test.pixels.length + result.test.labels.length;
        const estimate = (await navigator.storage?.estimate?.().catch(() => null)) ?? null;
        const old = (await listImported(db)).find((x) => x.id === id);
        const problem = quotaProblem(needed, estimate && { usage: (estimate.usage ?? 0) - (old?.bytes ?? 0), quota: estimate.quota });
        if (problem) throw new StorageError(problem);
        if (ctx.signal.aborted) throw new DOMException('the import was cancelled', 'AbortError');
        ctx.progress({
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
      },
      { usesTensors: false },
    );
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
    return runWorkerJob(
      host,
      jobId,
      onProgress,
      async (ctx) => {
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
            ctx.progress({ label: `Loading your model (${jsonFile.name})`, done, total, unit: 'bytes' });
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
        if (ctx.signal.aborted) {
          loaded.model.dispose();
          throw new DOMException('model loading cancelled', 'AbortError');
        }
        const card: ModelCard = {
          ...cardBase(loaded.model, ds, 'own-model', 'your own model'),
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
      },
      { what: 'loading your model' },
    );
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
    return runWorkerJob(
      host,
      jobId,
      onProgress,
      async (ctx) => {
        const { files, loaded } = await downloadModel(card, ctx.signal, onProgress);
        // only now is the previous model replaced: a failed load keeps it active
        const previous = active;
        active = { card, files, loaded };
        previous?.loaded.model.dispose();
        return { id: card.id, weightBytes: loaded.weightBytes, outputKind: loaded.classifier.outputKind, memory: memory() };
      },
      { what: 'loading the model' },
    );
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

  async run<L extends LabName, J extends JobName<L>>(
    lab: L,
    job: J,
    request: JobRequest<L, J> & { jobId: number },
    onProgress: (p: Progress<JobPayload<L, J>>) => void,
  ): Promise<JobResult<L, J>> {
    const registry: Record<string, Record<string, unknown> | undefined> = LAB_JOBS;
    const fn = registry[lab]?.[job] as
      ((ctx: WorkerJobContext<JobPayload<L, J>>, req: JobRequest<L, J>) => Promise<JobResult<L, J>>) | undefined;
    if (typeof fn !== 'function') throw new Error(`the worker has no job ${job} in lab ${lab}`);
    const what = job === 'attack' ? 'the attack' : `the ${job} job`;
    return runWorkerJob(host, request.jobId, onProgress, (ctx) => fn(ctx, request), { what });
  },

  async benchmark(req, onProgress) {
    return runWorkerJob(
      host,
      req.jobId,
      onProgress,
      async (ctx) => {
        const model = requireModel();
        const split = requireDataset(req.dataset);
        const n = Math.max(1, Math.min(split.n, Math.floor(req.batchSize)));
        const x = tf.tensor4d(imagesAsFloats(split, 0, n), [n, ...split.shape]);
        ctx.onCleanup(() => x.dispose());
        const r = await benchmarkClassifier(model.loaded.classifier, x, split.labels.subarray(0, n), {
          warmup: req.warmup,
          reps: req.reps,
          pgdSteps: req.pgdSteps,
          pgdReps: req.pgdReps,
          signal: ctx.signal,
          onPhase: (phase) =>
            ctx.progress({ label: `Measuring ${phase} on ${status?.name ?? tf.getBackend()}`, done: 0, total: 0, unit: 'steps' }),
        });
        x.dispose();
        return { ...r, model: model.card.id, adapter: status?.adapter ?? '', memory: memory() } satisfies BenchmarkOutcome;
      },
      { what: 'the speed measurement' },
    );
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
