/**
 * The defences lab's actions for its panels: train (start, pause, resume, cancel), the user's models
 * (list, export, import, delete, open in the studio), and the trade-off chart. Training and the
 * trade-off are jobs of the shared job runner (src/ui/jobs.ts) calling the lab's worker jobs (../jobs.ts).
 * The user's models and the stored run are read and deleted here directly (IndexedDB is the page's too).
 */
import { attacksLab } from '../../attacks/index';
import { DATASETS } from '../../../core/data/datasets';
import type { ModelCard } from '../../../core/models/card';
import { afterReconcile, computeClient, refreshUserModels, selectModel } from '../../../ui/controller';
import { cancelJob, runJob } from '../../../ui/jobs';
import { addNotice, patchExperiment, setupBusy, useLab } from '../../../ui/store';
import { preferredModel } from '../../../ui/validate';
import type { TrainingSettings } from '../experiment/training';
import { exportZip } from '../training/model-export';
import type { RunRequest, TrainEvent } from '../training/train-job';
import { emptyLog, type TrainLog } from '../training/log';
import { deleteRun, deleteUserModel, getUserModel, loadRun, userStore } from '../training/user-models';
import { useDefences } from './store';

const lab = useLab.getState;
const get = useDefences.getState;
const set = useDefences.setState;

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The stored models, in this panel's list and (by the shell) in the catalog the pickers read. */
export async function refreshModels(): Promise<void> {
  try {
    set({ models: await refreshUserModels() });
  } catch (e) {
    set({ modelsMessage: { kind: 'error', text: `Your models could not be listed: ${message(e)}` } });
  }
}

/** At start-up: the stored models, and a run that was paused or interrupted by a reload. */
export async function initDefences(): Promise<void> {
  await refreshModels();
  try {
    const run = await loadRun<RunRequest, TrainLog>(await userStore());
    if (run && get().jobId === null) {
      const s = run.request.settings;
      const stepsPerEpoch = run.log.epochs[0]
        ? run.log.epochs[0].step
        : Math.ceil(((s.slice > 0 ? s.slice : (DATASETS[run.request.dataset]?.sizes.train ?? 0) - s.holdout) || 1) / s.batchSize);
      set({
        run: run.request,
        log: run.log,
        paused: true,
        stepsPerEpoch,
        totalSteps: stepsPerEpoch * s.epochs,
        outcome: null,
        error: null,
      });
    }
  } catch (e) {
    set({ error: `The stored training run could not be read: ${message(e)}` });
  }
}

function onEvents(events: TrainEvent[]): void {
  const s = get();
  let log = s.log;
  const patch: Partial<typeof s> = {};
  for (const e of events) {
    if (e.kind === 'start') {
      log = { batches: [...e.log.batches], probes: [...e.log.probes], epochs: [...e.log.epochs] };
      Object.assign(patch, { run: e.run, stepsPerEpoch: e.stepsPerEpoch, totalSteps: e.totalSteps });
    } else if (e.kind === 'batch') {
      log = { ...log, batches: [...log.batches, e.point] };
      patch.secondsLeft = e.secondsLeft;
    } else if (e.kind === 'probe') log = { ...log, probes: [...log.probes, e.point] };
    else log = { ...log, epochs: [...log.epochs, e.point] };
  }
  set({ ...patch, log });
}

function launch(request: { dataset: string; settings: TrainingSettings; base: ModelCard | null; resume?: boolean }): void {
  if (get().jobId !== null || setupBusy(lab())) return;
  set({
    error: null,
    outcome: null,
    stopping: null,
    paused: false,
    secondsLeft: null,
    ...(request.resume ? {} : { log: emptyLog(), run: null }),
  });
  const what = request.resume ? 'Resuming training' : `Training on ${DATASETS[request.dataset]?.name ?? request.dataset}`;
  void (async () => {
    const r = await runJob<Awaited<ReturnType<typeof trainCall>>, TrainEvent>({
      kind: 'train',
      label: what,
      cancellable: true,
      after: afterReconcile,
      call: (jobId, onProgress) => {
        set({ jobId });
        return trainCall(jobId, request, onProgress);
      },
      onPayload: onEvents,
    });
    const stopping = get().stopping;
    set({ jobId: null, stopping: null });
    if (r.ok) {
      const out = r.value;
      set({ log: out.log, run: out.run });
      if (out.status === 'done' && out.card) {
        set({ outcome: out, paused: false });
        await refreshModels();
        addNotice('info', `${out.card.id} is trained and stored in this browser: it is in the model pickers.`);
      } else if (stopping === 'cancel') {
        await discardRun();
      } else {
        set({ paused: true, outcome: out });
      }
    } else if (r.reason === 'gone') {
      set({ error: 'The compute worker restarted; the run goes on from its last saved batch when you resume it.', paused: true });
    } else if (r.reason === 'cancelled' && stopping === 'cancel') {
      await discardRun();
    } else {
      set({ error: r.message });
      // a run that was stored before the failure can still be resumed
      const stored = await loadRun(await userStore()).catch(() => null);
      if (stored) set({ paused: true });
    }
  })();
}

const trainCall = (
  jobId: number,
  request: { dataset: string; settings: TrainingSettings; base: ModelCard | null; resume?: boolean },
  onProgress: Parameters<Parameters<typeof runJob<unknown, TrainEvent>>[0]['call']>[1],
) => computeClient().run('defences', 'train', { jobId, ...request }, onProgress);

/** Start a new run with the experiment's training settings (a stored paused run is replaced). */
export function startTraining(): void {
  const s = lab();
  const e = s.experiment;
  const base = e.training.start === 'fine-tune' ? (s.model && s.model.dataset === e.dataset ? s.model : null) : null;
  if (e.training.start === 'fine-tune' && !base) {
    set({ error: 'Choose the model to fine-tune in Setup first.' });
    return;
  }
  launch({ dataset: e.dataset, settings: { ...e.training }, base });
}

export function resumeTraining(): void {
  const run = get().run;
  if (!run) return;
  if (lab().experiment.dataset !== run.dataset) {
    const fallback = lab().catalog ? preferredModel(lab().catalog!, run.dataset) : undefined;
    patchExperiment({ dataset: run.dataset, ...(fallback ? { model: fallback.id } : {}) });
  }
  launch({ dataset: run.dataset, settings: run.settings, base: run.base, resume: true });
}

/** Stop after the current batch, keeping the run (saved in IndexedDB) to resume. */
export function pauseTraining(): void {
  const id = get().jobId;
  if (id === null) return;
  set({ stopping: 'pause' });
  cancelJob(id);
}

/** Stop and forget the run. */
export function cancelTraining(): void {
  const id = get().jobId;
  if (id === null) {
    void discardRun();
    return;
  }
  set({ stopping: 'cancel' });
  cancelJob(id);
}

export async function discardRun(): Promise<void> {
  try {
    await deleteRun(await userStore());
  } catch (e) {
    set({ error: `The stored run could not be deleted: ${message(e)}` });
  }
  set({ run: null, log: emptyLog(), paused: false, outcome: null, secondsLeft: null });
}

// ---------------------------------------------------------------- the user's models

/** Open a model in the studio (its data set too): the attacks lab's tab. */
export function openModel(card: ModelCard): void {
  if (lab().experiment.dataset !== card.dataset) patchExperiment({ dataset: card.dataset, model: card.id });
  else selectModel(card.id);
  patchExperiment({ lab: attacksLab.id });
}

/** A zip of the model's TensorFlow.js files and its card, downloaded. */
export async function exportModel(id: string): Promise<void> {
  try {
    const rec = await getUserModel(await userStore(), id);
    if (!rec) throw new Error(`${id} is no longer stored`);
    const zip = exportZip(rec);
    const url = URL.createObjectURL(new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${id}.zip`;
    a.dataset.testid = 'model-export-download';
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    set({ modelsMessage: { kind: 'info', text: `${id}.zip holds model.json, weights.bin and card.json.` } });
  } catch (e) {
    set({ modelsMessage: { kind: 'error', text: `${id} could not be exported: ${message(e)}` } });
  }
}

export async function deleteModel(id: string): Promise<void> {
  const s = lab();
  if (s.experiment.model === id || s.model?.id === id) {
    const fallback = s.catalog
      ? preferredModel({ ...s.catalog, models: s.catalog.models.filter((m) => m.id !== id) }, s.experiment.dataset)
      : undefined;
    if (fallback) selectModel(fallback.id);
  }
  try {
    await deleteUserModel(await userStore(), id);
    set({ modelsMessage: { kind: 'info', text: `${id} was deleted from this browser.` } });
  } catch (e) {
    set({ modelsMessage: { kind: 'error', text: `${id} could not be deleted: ${message(e)}` } });
  }
  await refreshModels();
}

/** Read an export back (a .zip, or model.json + weights + card.json): stored only when every check passes. */
export function importModel(files: File[]): void {
  if (files.length === 0) return;
  set({ modelsMessage: null });
  void (async () => {
    const read = await Promise.all(files.map(async (f) => ({ name: f.name, bytes: new Uint8Array(await f.arrayBuffer()) })));
    const r = await runJob({
      kind: 'load',
      label: `Importing ${files.map((f) => f.name).join(', ')}`,
      cancellable: false,
      call: (jobId, onProgress) => computeClient().run('defences', 'importModel', { jobId, files: read }, onProgress),
    });
    if (r.ok) {
      const { card, already } = r.value;
      set({
        modelsMessage: {
          kind: 'info',
          text: already ? `That model is already stored, as ${card.id}.` : `Imported ${card.id}: it is in the model pickers.`,
        },
      });
      await refreshModels();
    } else {
      set({ modelsMessage: { kind: 'error', text: `Not imported: ${r.message.replace(/\.$/, '')}. Nothing stored was changed.` } });
    }
  })();
}

// ---------------------------------------------------------------- the trade-off chart

/** Every model of the data set (zoo and the user's) under the studio's attack on the first n test images. */
export function runTradeoff(n: number): void {
  const s = lab();
  const e = s.experiment;
  if (!s.catalog || e.attack.name === 'none') return;
  const models = s.catalog.models.filter((m) => m.dataset === e.dataset && m.recipe !== 'user');
  set({ tradeoffError: null, tradeoff: null });
  void (async () => {
    const r = await runJob({
      kind: 'tradeoff',
      label: `Trade-off of ${models.length} models`,
      cancellable: true,
      after: afterReconcile,
      call: (jobId, onProgress) =>
        computeClient().run(
          'defences',
          'tradeoff',
          { jobId, dataset: e.dataset, models, attack: { ...e.attack }, start: 0, n },
          onProgress,
        ),
    });
    if (r.ok) set({ tradeoff: r.value });
    else set({ tradeoffError: r.reason === 'gone' ? 'The compute worker restarted; measure again.' : r.message });
  })();
}
