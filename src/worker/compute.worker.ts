/**
 * The compute worker: every tensor lives here. The UI talks to it through comlink (see protocol.ts).
 * State kept here: the active backend, the loaded test splits (plain bytes), and the active model
 * together with its raw files, so that it can be rebuilt on another backend without the network.
 */
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import { fgsm, pgd } from '../core/attacks/pgd';
import { AttackCancelled, type AttackResult } from '../core/attacks/types';
import { getDataset, imagesAsFloats, loadSplit, type LabeledImages } from '../core/data/datasets';
import type { BackendChoice } from '../core/experiment';
import type { ModelCard } from '../core/models/card';
import { loadLayersModel, ModelLoadError, type LoadedModel } from '../core/models/io';
import { configureWasm, loseDevice, selectBackend, watchDeviceLoss } from './backends';
import { fetchBytes } from './fetch-bytes';
import type {
  AttackOutcome,
  AttackRequest,
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

async function probabilities(model: ActiveModel, x: tf.Tensor4D): Promise<number[]> {
  const p = tf.tidy(() => tf.softmax(model.loaded.classifier.logits(x)));
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

const argmax = (v: number[]) => v.reduce((best, x, i) => (x > v[best] ? i : best), 0);

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
    const base = options?.baseUrl ?? self.location.origin + '/';
    const controller = startJob(jobId);
    try {
      const dir = new URL(`models/${encodeURIComponent(card.id)}/`, base);
      const label = `Loading model ${card.id}`;
      const totalWeights = card.weights.reduce((s, w) => s + (w.bytes || 0), 0);
      let doneBefore = 0;
      let json: Uint8Array;
      try {
        json = await fetchBytes(new URL('model.json', dir).href, controller.signal, () => {});
      } catch (e) {
        if (controller.signal.aborted) throw e;
        throw new ModelLoadError(`model.json of ${card.id} could not be read (${message(e)})`);
      }
      const weights = new Map<string, Uint8Array>();
      const files: ModelFiles = { json, weights };
      const loaded = await loadLayersModel(
        json,
        async (path) => {
          const bytes = await fetchBytes(new URL(path, dir).href, controller.signal, (done, total) =>
            onProgress({ label, done: doneBefore + done, total: Math.max(totalWeights, doneBefore + total), unit: 'bytes' }),
          );
          doneBefore += bytes.length;
          weights.set(path, bytes);
          return bytes;
        },
        Object.fromEntries(card.weights.map((w) => [w.path, w.sha256])),
        getDataset(card.dataset).shape,
      );
      if (controller.signal.aborted) {
        loaded.model.dispose();
        throw new DOMException('model loading cancelled', 'AbortError');
      }
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
      probs = await probabilities(model, x);
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
    const model = requireModel();
    const split = requireDataset(req.dataset);
    const label = split.labels[req.sample];
    const a = req.attack;
    if (a.name === 'none') throw new Error('choose an attack (FGSM or PGD) first');
    const controller = startJob(req.jobId);
    const backendAtStart = status?.name ?? 'cpu';
    const total = a.name === 'fgsm' ? 1 : a.steps * a.restarts;
    const t0 = performance.now();
    let stepsRun = 0;
    const name = a.name === 'fgsm' ? 'FGSM' : 'PGD';
    const x = sampleTensor(split, req.sample);
    let result: AttackResult | null = null;
    try {
      // the attack loop is synchronous: a cancel written into the shared word is seen after every step
      if (cancelledByFlag(req.jobId)) controller.abort();
      onProgress({ label: `${name} on test image ${req.sample}`, done: 0, total, unit: 'steps' });
      const onStep = (_step: number, meanLoss: number) => {
        stepsRun++;
        if (cancelledByFlag(req.jobId)) controller.abort();
        onProgress({ label: `${name} on test image ${req.sample}`, done: stepsRun, total, unit: 'steps', loss: meanLoss });
      };
      try {
        result =
          a.name === 'fgsm'
            ? fgsm(model.loaded.classifier, x, [label], { eps: a.eps, seed: a.seed, signal: controller.signal, randomStart: a.randomStart })
            : pgd(model.loaded.classifier, x, [label], {
                norm: a.norm,
                eps: a.eps,
                steps: a.steps,
                stepSize: a.stepSize,
                randomStart: a.randomStart,
                restarts: a.restarts,
                seed: a.seed,
                signal: controller.signal,
                onStep,
              });
      } catch (e) {
        if (!(e instanceof AttackCancelled)) throw e;
        x.dispose();
        return {
          status: 'cancelled',
          jobId: req.jobId,
          attack: a,
          sample: req.sample,
          label,
          stepsRun,
          seconds: (performance.now() - t0) / 1000,
          memory: memory(),
        } satisfies AttackOutcome;
      }
      if (a.name === 'fgsm') stepsRun = 1;
      const adv = result.adversarial;
      const probs = await probabilities(model, adv);
      const linfT = tf.tidy(() => tf.max(tf.abs(tf.sub(adv, x))));
      const [pixels, linf] = await Promise.all([adv.data() as Promise<Float32Array>, linfT.data()]);
      linfT.dispose();
      adv.dispose();
      result = null;
      x.dispose();
      const predicted = argmax(probs);
      const outcome: AttackOutcome = {
        status: 'done',
        jobId: req.jobId,
        attack: a,
        sample: req.sample,
        label,
        stepsRun,
        seconds: (performance.now() - t0) / 1000,
        adversarial: { pixels, probs, predicted, success: predicted !== label, linf: linf[0] },
        memory: memory(),
      };
      return Comlink.transfer(outcome, [pixels.buffer]);
    } catch (e) {
      throw await explainDeviceLoss(e, backendAtStart);
    } finally {
      x.dispose();
      result?.adversarial.dispose();
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
