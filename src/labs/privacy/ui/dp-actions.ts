/**
 * The DP-SGD panels' state and actions (zustand, the convention of the lab's other panels): a training run
 * (the `dpTrain` worker job, ../dp-job.ts) whose epsilon and probe accuracy stream in as progress payload,
 * and the clipping view (the `dpClip` job) on the model chosen in Setup. Both are cancellable jobs of the
 * shell's runner, with the slice's DP settings (pv.d* in the link) on Setup's data set. A finished run's
 * model is stored by the worker; the shell then lists it beside the zoo (refreshUserModels).
 */
import { create } from 'zustand';
import { DATASETS } from '../../../core/data/datasets';
import { afterReconcile, computeClient, refreshUserModels } from '../../../ui/controller';
import { cancelJob, runJob } from '../../../ui/jobs';
import { deleteRun, loadRun, userStore } from '../../defences/index';
import { addNotice, jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import type { DpClipOutcome, DpEvent, DpLog, DpMembershipOutcome, DpPoint, DpRunRequest, DpTrainOutcome } from '../dp-job';
import { DP_RUN, type DpPlan } from '../dp-plan';
import type { DpSettings } from '../experiment/dp';

/** The training splits the browser has (and Opacus's MNIST network takes 28x28 grey images). */
export const DP_DATASETS = ['mnist', 'fashion-mnist'] as const;

export interface DpUiState {
  status: 'idle' | 'running' | 'done' | 'paused' | 'cancelled' | 'failed';
  /** The run shown: its settings and data set, its plan once the worker made it, its readings. */
  run: { dataset: string; settings: DpSettings } | null;
  plan: DpPlan | null;
  points: DpPoint[];
  outcome: DpTrainOutcome | null;
  error: string | null;
  /** What the user asked of the running job: pause keeps the saved run, cancel deletes it. */
  stopping: 'pause' | 'cancel' | null;
  jobId: number | null;
  clip: { status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled'; outcome: DpClipOutcome | null; error: string | null };
  membership: { status: 'idle' | 'running' | 'done' | 'failed' | 'cancelled'; outcome: DpMembershipOutcome | null; error: string | null };
}

export const useDp = create<DpUiState>(() => ({
  status: 'idle',
  run: null,
  plan: null,
  points: [],
  outcome: null,
  error: null,
  stopping: null,
  jobId: null,
  clip: { status: 'idle', outcome: null, error: null },
  membership: { status: 'idle', outcome: null, error: null },
}));

export const dpBusy = (s: LabState): boolean => jobOfKind(s, 'dp-train') !== null || setupBusy(s);
export const dpClipBusy = (s: LabState): boolean => jobOfKind(s, 'dp-clip') !== null || setupBusy(s);
export const dpMembershipBusy = (s: LabState): boolean => jobOfKind(s, 'dp-membership') !== null || setupBusy(s);

export function dpDatasetProblem(dataset: string): string | null {
  return (DP_DATASETS as readonly string[]).includes(dataset)
    ? null
    : `DP-SGD trains Opacus's MNIST network on MNIST or Fashion-MNIST here: choose one of them in Setup (${DATASETS[dataset]?.name ?? dataset} is chosen).`;
}

const gone = 'The compute worker restarted; run it again.';
const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** When the panel opens: a run that was paused, or cut short by a reload, is shown ready to resume. */
export async function initDp(): Promise<void> {
  if (useDp.getState().jobId !== null || useDp.getState().run) return;
  try {
    const stored = await loadRun<DpRunRequest, DpLog>(await userStore(), DP_RUN);
    if (stored && useDp.getState().jobId === null)
      useDp.setState({
        status: 'paused',
        run: { dataset: stored.request.dataset, settings: stored.request.settings },
        plan: stored.request.plan,
        points: stored.log.points.filter((p) => p.step <= (stored.state?.step ?? 0)),
      });
  } catch (e) {
    useDp.setState({ error: `The stored DP-SGD run could not be read: ${message(e)}` });
  }
}

async function discardDpRun(): Promise<void> {
  try {
    await deleteRun(await userStore(), DP_RUN);
  } catch (e) {
    useDp.setState({ error: `The stored run could not be deleted: ${message(e)}` });
  }
  useDp.setState({ status: 'cancelled', run: null, plan: null, points: [], outcome: null });
}

function launch(dataset: string, settings: DpSettings, resume: boolean): void {
  if (useDp.getState().jobId !== null || dpBusy(useLab.getState())) return;
  useDp.setState({
    status: 'running',
    run: { dataset, settings },
    outcome: null,
    error: null,
    stopping: null,
    ...(resume ? {} : { plan: null, points: [] }),
  });
  void (async () => {
    const r = await runJob<DpTrainOutcome, DpEvent>({
      kind: 'dp-train',
      label: `${resume ? 'Resuming ' : ''}DP-SGD on ${DATASETS[dataset]?.name ?? dataset}`,
      cancellable: true,
      after: afterReconcile,
      call: (jobId, onProgress) => {
        useDp.setState({ jobId });
        return computeClient().run('privacy', 'dpTrain', { jobId, dataset, settings, resume }, onProgress);
      },
      onPayload: (items) =>
        useDp.setState((st) => {
          let plan = st.plan;
          let points = [...st.points];
          for (const e of items) {
            if (e.kind === 'start') {
              plan = e.plan;
              points = [...e.points];
            }
            // the progress port and the result's are separate channels: the last readings may arrive after the
            // result (which holds them all), so a reading at or before the last step shown is one already had
            else if (points.length === 0 || e.point.step > points[points.length - 1].step) points.push(e.point);
          }
          return { plan, points };
        }),
    });
    const stopping = useDp.getState().stopping;
    useDp.setState({ jobId: null, stopping: null });
    if (r.ok && r.value.status === 'done' && r.value.card) {
      const card = r.value.card;
      useDp.setState({ status: 'done', outcome: r.value, points: r.value.points, plan: r.value.plan });
      try {
        await refreshUserModels();
        addNotice('info', `${card.id} is trained and stored in this browser: it is in the model pickers and the chart below.`);
      } catch (e) {
        useDp.setState({ error: `The model was stored but the list of your models could not be read again: ${message(e)}` });
      }
    } else if (stopping === 'cancel') await discardDpRun();
    else if (r.ok) useDp.setState({ status: 'paused', points: r.value.points });
    else if (r.reason === 'cancelled') useDp.setState({ status: 'paused' });
    else if (r.reason === 'gone')
      useDp.setState({ status: 'paused', error: 'The compute worker restarted; Resume goes on from the last saved step.' });
    else {
      useDp.setState({ status: 'failed', error: r.message });
      // a run saved before the failure can still be resumed
      const stored = await loadRun(await userStore(), DP_RUN).catch(() => null);
      if (stored) useDp.setState({ status: 'paused' });
    }
  })();
}

export function runDpTraining(): void {
  const s = useLab.getState();
  const dataset = s.experiment.dataset;
  const problem = dpDatasetProblem(dataset);
  if (problem) {
    useDp.setState({ error: problem });
    return;
  }
  launch(dataset, { ...s.experiment.dp }, false);
}

/** Go on with the stored run (its own settings and data set). */
export function resumeDpTraining(): void {
  const run = useDp.getState().run;
  if (!run) return;
  launch(run.dataset, run.settings, true);
}

/** Stop after the current step, keeping the saved run to resume. */
export function pauseDpTraining(): void {
  const id = useDp.getState().jobId;
  if (id === null) return;
  useDp.setState({ stopping: 'pause' });
  cancelJob(id);
}

/** Stop and forget the run (nothing is stored). */
export function cancelDpTraining(): void {
  const id = useDp.getState().jobId;
  if (id === null) {
    void discardDpRun();
    return;
  }
  useDp.setState({ stopping: 'cancel' });
  cancelJob(id);
}

export function runDpClip(): void {
  const s = useLab.getState();
  if (dpClipBusy(s)) return;
  const dataset = s.experiment.dataset;
  const problem = dpDatasetProblem(dataset);
  const clip = (c: Partial<DpUiState['clip']>) => useDp.setState((st) => ({ clip: { ...st.clip, ...c } }));
  if (problem) {
    clip({ error: problem });
    return;
  }
  const settings = { ...s.experiment.dp };
  clip({ status: 'running', error: null });
  void (async () => {
    const r = await runJob<DpClipOutcome>({
      kind: 'dp-clip',
      label: `Clipping the gradients of a batch around training image ${settings.image}`,
      cancellable: true,
      after: afterReconcile,
      usesModel: true,
      call: (jobId, onProgress) => computeClient().run('privacy', 'dpClip', { jobId, dataset, settings }, onProgress),
    });
    if (r.ok) clip({ status: 'done', outcome: r.value });
    else if (r.reason === 'cancelled') clip({ status: 'cancelled' });
    else clip({ status: 'failed', error: r.reason === 'gone' ? gone : r.message });
  })();
}

/** The loss-threshold membership test on the model in Setup (the `dpMembership` job). */
export function runDpMembership(): void {
  const s = useLab.getState();
  if (dpMembershipBusy(s)) return;
  const dataset = s.experiment.dataset;
  const problem = dpDatasetProblem(dataset);
  const set = (c: Partial<DpUiState['membership']>) => useDp.setState((st) => ({ membership: { ...st.membership, ...c } }));
  if (problem) {
    set({ error: problem });
    return;
  }
  const settings = { ...s.experiment.dp };
  set({ status: 'running', error: null });
  void (async () => {
    const r = await runJob<DpMembershipOutcome>({
      kind: 'dp-membership',
      label: 'Membership test (loss threshold)',
      cancellable: true,
      after: afterReconcile,
      usesModel: true,
      call: (jobId, onProgress) => computeClient().run('privacy', 'dpMembership', { jobId, dataset, settings }, onProgress),
    });
    if (r.ok) set({ status: 'done', outcome: r.value });
    else if (r.reason === 'cancelled') set({ status: 'cancelled' });
    else set({ status: 'failed', error: r.reason === 'gone' ? gone : r.message });
  })();
}
