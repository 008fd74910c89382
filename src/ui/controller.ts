/**
 * Orchestration between the stores, the URL and the compute worker. Panels call the actions at the
 * bottom; a change of data set / model / image / backend schedules one "reconcile" pass that brings
 * the worker in line with the experiment (latest change wins; worker calls run one at a time).
 */
import { DATASETS } from '../core/data/datasets';
import {
  COLOUR_LINF_DEFAULTS,
  decodeExperiment,
  DEFAULT_EXPERIMENT,
  encodeExperiment,
  firstVisitExperiment,
  type Experiment,
} from '../labs/experiment';
import { isModelCard, type ModelCard } from '../core/models/card';
import type { BenchmarkOutcome, BenchmarkRequest, TracePoint, WorkerEvent } from '../worker/protocol';
import { ComputeClient, WorkerGone } from './client';
import { datasetPreset } from '../labs/attacks/index';
import { isUserModel, storedModelCards } from '../labs/defences/index';
import { bindJobs, runJob, whenModelFree, type JobOutcome } from './jobs';
import { addNotice, clearNotices, hasJobs, patchAttack, patchBatch, patchExperiment, studioBusy, useLab, type CustomInput } from './store';
import { datasetName, preferredModel, validateExperiment, type Catalog, type DatasetAvailability } from './validate';
import { ALL_LESSONS } from '../labs/lessons';
import {
  enforceLocks,
  relock,
  restoreSession,
  setClassroom,
  setLessonControls,
  splitViewLink,
  useView,
  viewLinkSuffix,
  type SplitLink,
} from './lessons/view';

export const STRIP_SIZE = 12;

let client: ComputeClient;

/** The compute worker's client (labs' actions call their jobs through it). */
export const computeClient = (): ComputeClient => client;
let customSeq = 0;
let chain: Promise<unknown> = Promise.resolve();
/** model id + weights hash of loads that failed: not retried in this session */
const failedModels = new Set<string>();

const get = useLab.getState;
const set = useLab.setState;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Worker calls run one after another. */
function serial<T>(fn: () => Promise<T>): Promise<T> {
  const p = chain.then(fn, fn);
  chain = p.catch(() => {});
  return p;
}

/** A job that ended because the worker was restarted stops the reconcile pass too. */
function rethrowGone(r: JobOutcome<unknown>): void {
  if (!r.ok && r.reason === 'gone') throw new WorkerGone();
}

/** Append streamed trace points (the chart decimates; nothing re-copies per step). */
export function appendTrace(points: TracePoint[]): void {
  set((s) => ({ liveTrace: s.liveTrace.concat(points) }));
}

const modelKey = (c: ModelCard) => `${c.id}@${c.weights.map((w) => w.sha256).join(',')}`;

// ---------------------------------------------------------------- reconcile

let reconcileRunning = false;
let reconcileDirty = false;

export function scheduleReconcile(): void {
  reconcileDirty = true;
  if (reconcileRunning) return;
  reconcileRunning = true;
  set({ settled: false });
  void (async () => {
    while (reconcileDirty) {
      reconcileDirty = false;
      try {
        await serial(reconcileOnce);
      } catch (e) {
        if (!(e instanceof WorkerGone)) addNotice('error', `Something went wrong: ${message(e)}`);
      }
    }
    reconcileRunning = false;
    set({ settled: true });
  })();
}

async function ensureBackend(e: Experiment): Promise<boolean> {
  const current = get().backend;
  if (current && current.requested === e.backend) return true;
  await whenModelFree();
  const r = await runJob({
    kind: 'backend',
    label: 'Probing compute backends',
    cancellable: false,
    call: (_id, onProgress) => client.api.setBackend(e.backend, onProgress),
  });
  rethrowGone(r);
  if (!r.ok) {
    addNotice('error', `No compute backend could be started: ${r.message}`, 'backend');
    return false;
  }
  const status = r.value;
  set({ backend: status, memory: status.memory });
  // an earlier fallback or failure no longer holds once a backend has started
  clearNotices('backend');
  if (e.backend !== 'auto' && status.name !== e.backend) {
    const why = status.skipped.find((s) => s.name === e.backend)?.reason ?? 'unavailable';
    addNotice('warning', `The ${e.backend} backend is not available here (${why}); the lab runs on ${status.name} instead.`, 'backend');
  }
  return true;
}

async function ensureDataset(e: Experiment): Promise<boolean> {
  if (get().dataset?.id === e.dataset) return true;
  const previous = get().dataset;
  await whenModelFree();
  const r = await runJob({
    kind: 'load',
    label: `Loading ${datasetName(e.dataset)} test images`,
    cancellable: true,
    call: (id, onProgress) => client.api.loadDataset(id, e.dataset, onProgress),
  });
  rethrowGone(r);
  if (r.ok) {
    set({ dataset: r.value, strip: null, prediction: null, attack: null });
    return true;
  }
  if (r.reason === 'cancelled') addNotice('info', `Loading ${datasetName(e.dataset)} was cancelled.`);
  else addNotice('error', `${datasetName(e.dataset)} could not be loaded: ${r.message}`);
  if (previous) {
    const model = get().model;
    patchExperiment({ dataset: previous.id, ...(model && model.dataset === previous.id ? { model: model.id } : {}) });
  }
  return false;
}

async function ensureModel(e: Experiment, catalog: Catalog): Promise<boolean> {
  const own = get().ownModel;
  const previous = get().model;
  if (own && own.id === e.model && own.dataset === e.dataset) {
    if (previous?.id === own.id) return true;
    // the worker restarted (or the backend was lost) since: the files are not at hand any more
    set({ ownModel: null });
    addNotice('warning', 'Your own model is no longer loaded (the compute worker restarted); load its files again.');
    const fallback = preferredModel(catalog, e.dataset);
    if (fallback) patchExperiment({ model: fallback.id });
    return false;
  }
  const card = catalog.models.find((m) => m.id === e.model && m.dataset === e.dataset);
  if (!card || previous?.id === card.id || failedModels.has(modelKey(card))) return true;
  await whenModelFree();
  const r = await runJob({
    kind: 'load',
    label: `Loading model ${card.id}`,
    cancellable: true,
    call: (id, onProgress) => client.api.loadModel(id, card, onProgress),
  });
  rethrowGone(r);
  if (r.ok) {
    set({ model: card, prediction: null, attack: null });
    return true;
  }
  if (r.reason === 'cancelled') {
    addNotice('info', `Loading ${card.id} was cancelled.`);
  } else {
    failedModels.add(modelKey(card));
    addNotice('error', `Model ${card.id} could not be loaded: ${r.message}${previous ? ` — ${previous.id} stays active.` : ''}`);
  }
  if (previous) {
    patchExperiment({ model: previous.id, dataset: previous.dataset });
    return false;
  }
  return true;
}

async function ensureStrip(e: Experiment, n: number): Promise<void> {
  const start = Math.max(0, Math.min(e.sample - Math.floor(STRIP_SIZE / 2) + 1, n - STRIP_SIZE));
  const strip = get().strip;
  if (strip && strip.dataset === e.dataset && strip.start === start) return;
  const batch = await client.call(() => client.api.images(e.dataset, start, STRIP_SIZE));
  set({ strip: { ...batch, dataset: e.dataset } });
}

/** A picture made for another input shape (the data set changed) is made again from its file. */
async function ensureCustomShape(e: Experiment): Promise<CustomInput | null> {
  const custom = get().custom;
  const shape = DATASETS[e.dataset]?.shape;
  if (!custom || !shape || custom.image.shape.join('x') === shape.join('x')) return custom;
  try {
    const image = await client.call(() => client.api.prepareImage(custom.blob, shape, shape[2] === 1 ? 'auto' : false));
    const next = { ...custom, id: ++customSeq, image };
    set({ custom: next, customPrediction: null, attack: null });
    return next;
  } catch (err) {
    if (err instanceof WorkerGone) throw err;
    set({ custom: null, customPrediction: null, customError: message(err) });
    return null;
  }
}

async function reconcileOnce(): Promise<void> {
  const { experiment: e, catalog } = get();
  if (!catalog) return;
  if (!(await ensureBackend(e))) return;
  if (!(await ensureDataset(e))) return;
  const ds = get().dataset!;
  if (!ds.missing && e.sample >= ds.n) {
    addNotice('warning', `Test image ${e.sample} does not exist in ${datasetName(e.dataset)} (0..${ds.n - 1}); image 0 is shown.`);
    patchExperiment({ sample: 0 });
    return;
  }
  if (!(await ensureModel(e, catalog))) return;
  if (!ds.missing) await ensureStrip(e, ds.n);
  const custom = await ensureCustomShape(e);
  const model = get().model;
  if (model && model.dataset === e.dataset) {
    if (!ds.missing) {
      const prediction = await client.call(() => client.api.predict(e.dataset, e.sample));
      set({ prediction, memory: prediction.memory });
    } else {
      set({ prediction: null });
    }
    if (custom) {
      const p = await client.call(() => client.api.predictImage(custom.image.pixels));
      set({ customPrediction: { ...p, customId: custom.id }, memory: p.memory });
    }
  } else {
    set({ prediction: null, customPrediction: null });
  }
}

// ---------------------------------------------------------------- URL state

let urlTimer: ReturnType<typeof setTimeout> | undefined;

function writeUrl(e: Experiment, now = false): void {
  clearTimeout(urlTimer);
  const write = () => {
    const hash = `#${encodeExperiment(e)}${viewLinkSuffix()}`;
    if (location.hash !== hash) history.replaceState(history.state, '', hash);
  };
  if (now) write();
  else urlTimer = setTimeout(write, 250);
}

/**
 * Read a link (hash) into the experiment, with notices for anything that could not be used. The view
 * keys (lesson, step, lock, hide, present: src/ui/lessons/view.ts) are taken out first; a locked
 * setting the link changes is put back, with a notice.
 */
function applyLink(hash: string): void {
  const view = splitViewLink(hash);
  for (const n of view.notices) addNotice('warning', n);
  const decoded = decodeExperiment(view.experimentHash);
  for (const n of decoded.notices) addNotice('warning', n);
  const catalog = get().catalog;
  let experiment = decoded.experiment;
  if (catalog) {
    const v = validateExperiment(experiment, catalog);
    for (const n of v.notices) addNotice('warning', n);
    experiment = v.experiment;
  }
  set((s) => ({ experiment: applyView(view, experiment), linkSeq: s.linkSeq + 1 }));
}

/** The view keys of a link applied (lesson, step, present, classroom locks); returns the experiment with the locks enforced. */
function applyView(view: SplitLink, experiment: Experiment): Experiment {
  useView.setState({ lesson: view.lesson, step: view.step, present: view.present, compare: view.compare, fresh: view.fresh });
  set({ compareModel: view.compare });
  const lesson = ALL_LESSONS.find((l) => l.id === view.lesson);
  // what this tab already holds (after a reload, read back from sessionStorage)
  const now = useView.getState();
  const held = Object.keys(now.locked).length > 0 || now.hidden.length > 0 || restoreSession();
  // a teacher's lock, once held, is not moved by a later or edited link (even one that names the same keys with
  // other values); leaving classroom mode ends it
  const teacherHeld = held && useView.getState().origin === 'link';
  if ((view.lockKeys.length > 0 || view.hideKeys.length > 0) && !teacherHeld) setClassroom(experiment, view.lockKeys, view.hideKeys);
  // a lesson's own locks: alone, or on top of a teacher's (src/ui/lessons/view.ts setLessonControls)
  if (lesson && !view.fresh && (useView.getState().origin === 'link' || !held))
    setLessonControls(experiment, lesson.id, lesson.lock ?? [], lesson.hide ?? []);
  const { experiment: kept, reverted } = enforceLocks(experiment);
  if (reverted.length > 0)
    addNotice(
      'warning',
      `Locked by the classroom link, kept at their values: ${reverted.join(', ')}. (Leave classroom mode to change them.)`,
    );
  return kept;
}

/**
 * Set the experiment from a lesson or a notebook entry: validated against the catalogue, and the
 * classroom locks moved to its values (the lesson moves them on purpose).
 */
export function applyExperiment(next: Experiment): void {
  const catalog = get().catalog;
  let experiment = next;
  if (catalog) {
    const v = validateExperiment(experiment, catalog);
    for (const n of v.notices) addNotice('warning', n);
    experiment = v.experiment;
  }
  // a lesson moves its own locks; a teacher's classroom locks hold
  relock(experiment);
  set((s) => ({ experiment: enforceLocks(experiment).experiment, linkSeq: s.linkSeq + 1 }));
}

// ---------------------------------------------------------------- start-up

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return res.json();
}

async function loadCatalog(): Promise<Catalog> {
  const base = new URL(import.meta.env.BASE_URL, location.href);
  const catalog: Catalog = { datasets: {}, models: [] };
  try {
    const data = (await fetchJson(new URL('data/index.json', base).href)) as { datasets?: Record<string, DatasetAvailability> };
    catalog.datasets = data.datasets ?? {};
  } catch (e) {
    addNotice('error', `The data sets have not been prepared (data/index.json: ${message(e)}); run npm run prepare-data.`);
  }
  try {
    const zoo = (await fetchJson(new URL('models/index.json', base).href)) as { models?: unknown[] };
    for (const [i, c] of (zoo.models ?? []).entries()) {
      if (isModelCard(c)) catalog.models.push(c);
      else addNotice('warning', `Entry ${i + 1} of the model zoo index is not a valid model card and was skipped.`);
    }
  } catch (e) {
    addNotice('warning', `The model zoo index could not be read (models/index.json: ${message(e)}).`);
  }
  // the user's own models (trained or imported in this browser, kept in IndexedDB) sit beside the zoo
  try {
    const mine = await storedModelCards();
    catalog.models.push(...mine.cards.filter((c) => !catalog.models.some((m) => m.id === c.id)));
    if (mine.damaged.length > 0) addNotice('warning', `Stored models that could not be read were skipped: ${mine.damaged.join(', ')}.`);
  } catch (e) {
    addNotice('warning', `Your stored models could not be listed (${message(e)}).`);
  }
  return catalog;
}

/**
 * Read the user's stored models again and put them in the catalog beside the zoo (the model pickers read
 * it): after a lab trained, imported or deleted one. Returns their cards.
 */
export async function refreshUserModels(): Promise<ModelCard[]> {
  const { cards } = await storedModelCards();
  useLab.setState((st) =>
    st.catalog ? { catalog: { ...st.catalog, models: [...st.catalog.models.filter((m) => !isUserModel(m)), ...cards] } } : st,
  );
  return cards;
}

function onWorkerEvent(ev: WorkerEvent): void {
  if (ev.kind === 'backend-changed') {
    set({ backend: ev.status, memory: ev.status.memory });
    addNotice('warning', ev.notice);
    scheduleReconcile();
  }
}

async function startWorker(): Promise<void> {
  client = new ComputeClient();
  bindJobs({ client: () => client, restartWorker });
  await client.init(onWorkerEvent);
}

export async function startLab(): Promise<void> {
  const view = splitViewLink(location.hash);
  for (const n of view.notices) addNotice('warning', n);
  // a first visit (no hash at all) opens where the default attack succeeds; any link keeps its meaning
  const initial =
    location.hash.replace(/^#/, '') === '' ? { experiment: firstVisitExperiment(), notices: [] } : decodeExperiment(view.experimentHash);
  for (const n of initial.notices) addNotice('warning', n);
  set({ experiment: applyView(view, initial.experiment) });
  // listen before the first await: a link opened while the catalogue loads must not be lost (nor
  // overwritten below by the link the page started with); it is validated with the catalogue below
  window.addEventListener('hashchange', () => applyLink(location.hash));
  const worker = startWorker();
  const catalog = await loadCatalog();
  const v = validateExperiment(get().experiment, catalog);
  for (const n of v.notices) addNotice('warning', n);
  set((s) => ({ catalog, experiment: enforceLocks(v.experiment).experiment, linkSeq: s.linkSeq + 1 }));
  writeUrl(get().experiment, true);
  // the view keys (lesson, step, locks, present) ride in the same link
  useView.subscribe(() => writeUrl(get().experiment, true));

  useLab.subscribe((s, prev) => {
    if (s.experiment === prev.experiment) return;
    writeUrl(s.experiment);
    const a = s.experiment;
    const b = prev.experiment;
    if (a.dataset !== b.dataset || a.model !== b.model || a.sample !== b.sample || a.backend !== b.backend) scheduleReconcile();
    // a step-by-step replay belongs to one image, model and attack setting
    if (s.stepper && !studioBusy(s) && (a.attack !== b.attack || a.sample !== b.sample || a.model !== b.model)) set({ stepper: null });
  });
  // test hook (also handy for trying the recovery by hand): make the GPU backend lose its device
  // and measure the active backend's speed with the lab's own worker (rlab bench-browser drives this)
  (window as unknown as { __rlab: unknown }).__rlab = {
    loseDevice: () => client.call(() => client.api.loseDevice()),
    benchmark: (o: BenchmarkSettings) => runBenchmark(o),
  };
  try {
    await worker;
  } catch (e) {
    addNotice('error', `The compute worker could not start: ${message(e)}`);
    return;
  }
  void refreshImported();
  scheduleReconcile();
}

/** What IndexedDB holds (shown in the setup panel). */
async function refreshImported(): Promise<void> {
  try {
    const list = await serial(() => client.call(() => client.api.importedDatasets()));
    set({ imported: Object.fromEntries(list.map((x) => [x.id, x])) });
  } catch (err) {
    if (!(err instanceof WorkerGone)) addNotice('warning', `Imported data could not be listed: ${message(err)}`);
  }
}

// ---------------------------------------------------------------- actions for the panels

export function selectDataset(id: string): void {
  const catalog = get().catalog;
  const own = get().ownModel;
  const model = own?.dataset === id ? own : catalog ? preferredModel(catalog, id) : undefined;
  const before = get().experiment.dataset;
  patchExperiment({ dataset: id, ...(model ? { model: model.id } : {}) });
  // eps and step size on the data set's usual scale (8/255 for CIFAR-10, 0.1 for MNIST) when the scale changes
  const colour = (ds: string) => DATASETS[ds]?.shape[2] === 3;
  if (colour(before) !== colour(id)) {
    patchAttack(datasetPreset(id, get().experiment.attack));
    patchBatch({ epsilons: [...(colour(id) ? COLOUR_LINF_DEFAULTS : DEFAULT_EXPERIMENT.batch).epsilons] });
  }
}

/** The studio's second model ("Compare with"): kept in the link as `cmp=` (a view key, not part of the experiment). */
export function selectCompareModel(id: string | null): void {
  set({ compareModel: id, compare: null, compareError: null });
  useView.setState({ compare: id });
  writeUrl(get().experiment, true);
}

export function selectModel(id: string): void {
  patchExperiment({ model: id });
}

export function selectSample(sample: number): void {
  if (get().custom) clearPicture();
  const e = get().experiment;
  const loaded = get().dataset;
  const n = loaded?.id === e.dataset ? loaded.n : (DATASETS[e.dataset]?.sizes.test ?? 1);
  if (!Number.isFinite(sample)) return;
  patchExperiment({ sample: Math.max(0, Math.min(n - 1, Math.round(sample))) });
}

export function selectBackend(choice: Experiment['backend']): void {
  patchExperiment({ backend: choice });
}

/** Jobs that use the model wait for the reconcile pass in progress (the model or data they need may be loading). */
export const afterReconcile = () => chain;

export type BenchmarkSettings = Omit<BenchmarkRequest, 'jobId' | 'dataset'>;

/**
 * Inference, input-gradient and PGD throughput of the active model on the active backend, over the
 * first batchSize test images (measured in the worker by core/eval/benchmark.ts).
 */
export function runBenchmark(settings: BenchmarkSettings): Promise<BenchmarkOutcome> {
  const s = get();
  const e = s.experiment;
  if (hasJobs(s)) return Promise.reject(new Error('another job is running'));
  if (!s.model || s.model.dataset !== e.dataset || s.dataset?.id !== e.dataset)
    return Promise.reject(new Error('the model and its test images are not loaded yet'));
  return runJob({
    kind: 'benchmark',
    label: `Measuring the speed of ${s.model.id} on ${s.backend?.name ?? 'this backend'}`,
    cancellable: true,
    usesModel: true,
    after: afterReconcile,
    call: (jobId, onProgress) => client.api.benchmark({ jobId, dataset: e.dataset, ...settings }, onProgress),
  }).then((r) => {
    if (!r.ok) throw r.error;
    set({ memory: r.value.memory });
    return r.value;
  });
}

async function restartWorker(): Promise<void> {
  client.terminate();
  set({ backend: null, dataset: null, model: null, strip: null, prediction: null, customPrediction: null });
  await startWorker();
  scheduleReconcile();
}

export { cancelJob } from './jobs';

// ---------------------------------------------------------------- imported data, pictures, own models

/** Import CIFAR-10 from the chosen files; the stored copy changes only when the new one is read in full and stored. */
export function importData(id: string, files: File[]): void {
  if (hasJobs(get()) || files.length === 0) return;
  set({ importError: null });
  void serial(async () => {
    const r = await runJob({
      kind: 'load',
      label: `Importing ${datasetName(id)}`,
      cancellable: true,
      call: (jobId, onProgress) => client.api.importDataset(jobId, id, files, onProgress),
    });
    if (r.ok) {
      const info = r.value;
      set((s) => ({ imported: { ...s.imported, [id]: info } }));
      addNotice(
        'info',
        `Imported ${info.n.toLocaleString('en-US')} ${datasetName(id)} test images; they stay in this browser until you delete them.`,
      );
      if (get().experiment.dataset === id) set({ dataset: null, strip: null, prediction: null });
    } else if (r.reason === 'gone') set({ importError: 'The import was stopped and the compute worker restarted; nothing was changed.' });
    else if (r.reason === 'cancelled') set({ importError: 'The import was cancelled; nothing was changed.' });
    else set({ importError: `${r.message}. Nothing was changed.` });
  });
  void chain.then(() => scheduleReconcile());
}

export function deleteImportedData(id: string): void {
  if (hasJobs(get())) return;
  void serial(async () => {
    try {
      await client.call(() => client.api.deleteImported(id));
      set((s) => {
        const imported = { ...s.imported };
        delete imported[id];
        return {
          imported,
          importError: null,
          ...(s.experiment.dataset === id ? { dataset: null, strip: null, prediction: null, batch: null } : {}),
        };
      });
      addNotice('info', `The imported ${datasetName(id)} data was deleted from this browser.`);
    } catch (err) {
      if (!(err instanceof WorkerGone)) set({ importError: `It could not be deleted: ${message(err)}` });
    }
  });
  void chain.then(() => scheduleReconcile());
}

/** Use a picture (file, camera frame, drawing) in place of the test image. */
export function choosePicture(blob: Blob, name: string, kind: CustomInput['kind']): void {
  if (studioBusy(get())) return;
  const shape = DATASETS[get().experiment.dataset]?.shape;
  if (!shape) return;
  set({ customError: null });
  void serial(async () => {
    try {
      const image = await client.call(() => client.api.prepareImage(blob, shape, shape[2] === 1 ? 'auto' : false));
      set({
        custom: { id: ++customSeq, name, kind, blob, image },
        customPrediction: null,
        attack: null,
        attackError: null,
        liveTrace: [],
        stepper: null,
        compare: null,
      });
    } catch (err) {
      set({ customError: err instanceof WorkerGone ? 'The compute worker restarted; choose the picture again.' : message(err) });
    }
  });
  void chain.then(() => scheduleReconcile());
}

/** Back to the test images. */
export function clearPicture(): void {
  set({
    custom: null,
    customPrediction: null,
    customError: null,
    attack: null,
    attackError: null,
    liveTrace: [],
    stepper: null,
    compare: null,
  });
  scheduleReconcile();
}

/** Load the user's own model (model.json + weights) for the current data set. */
export function loadOwnModel(files: File[]): void {
  if (hasJobs(get()) || files.length === 0) return;
  const e = get().experiment;
  set({ ownModelError: null });
  void serial(async () => {
    const r = await runJob({
      kind: 'load',
      label: 'Loading your model',
      cancellable: true,
      call: (jobId, onProgress) => client.api.loadModelFiles(jobId, files, e.dataset, onProgress),
    });
    if (r.ok) {
      const card = r.value;
      set({ ownModel: card, model: card, prediction: null, customPrediction: null, attack: null, compare: null, batch: null });
      patchExperiment({ model: card.id });
    } else if (r.reason === 'gone') set({ ownModelError: 'The compute worker restarted; choose the files again.' });
    else if (r.reason === 'cancelled') set({ ownModelError: 'Loading was cancelled.' });
    else set({ ownModelError: r.message });
  });
  void chain.then(() => scheduleReconcile());
}
