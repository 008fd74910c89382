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
import { runJob } from '../../../ui/jobs';
import { addNotice, jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import type { DpClipOutcome, DpEvent, DpMembershipOutcome, DpPoint, DpTrainOutcome } from '../dp-job';
import type { DpPlan } from '../dp-plan';
import type { DpSettings } from '../experiment/dp';

/** The training splits the browser has (and Opacus's MNIST network takes 28x28 grey images). */
export const DP_DATASETS = ['mnist', 'fashion-mnist'] as const;

export interface DpUiState {
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  /** The run shown: its settings and data set, its plan once the worker made it, its readings. */
  run: { dataset: string; settings: DpSettings } | null;
  plan: DpPlan | null;
  points: DpPoint[];
  outcome: DpTrainOutcome | null;
  error: string | null;
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

export function runDpTraining(): void {
  const s = useLab.getState();
  if (dpBusy(s)) return;
  const dataset = s.experiment.dataset;
  const problem = dpDatasetProblem(dataset);
  if (problem) {
    useDp.setState({ error: problem });
    return;
  }
  const settings = { ...s.experiment.dp };
  useDp.setState({ status: 'running', run: { dataset, settings }, plan: null, points: [], outcome: null, error: null });
  void (async () => {
    const r = await runJob<DpTrainOutcome, DpEvent>({
      kind: 'dp-train',
      label: `DP-SGD on ${DATASETS[dataset]?.name ?? dataset}`,
      cancellable: true,
      after: afterReconcile,
      call: (jobId, onProgress) => computeClient().run('privacy', 'dpTrain', { jobId, dataset, settings }, onProgress),
      onPayload: (items) =>
        useDp.setState((st) => {
          let plan = st.plan;
          const points = [...st.points];
          for (const e of items) {
            if (e.kind === 'start') plan = e.plan;
            // the progress port and the result's are separate channels: the last readings may arrive after the
            // result (which holds them all), so a reading at or before the last step shown is one already had
            else if (points.length === 0 || e.point.step > points[points.length - 1].step) points.push(e.point);
          }
          return { plan, points };
        }),
    });
    if (r.ok) {
      useDp.setState({ status: 'done', outcome: r.value, points: r.value.points, plan: r.value.plan });
      try {
        await refreshUserModels();
        addNotice('info', `${r.value.card.id} is trained and stored in this browser: it is in the model pickers and the chart below.`);
      } catch (e) {
        useDp.setState({
          error: `The model was stored but the list of your models could not be read again: ${e instanceof Error ? e.message : String(e)}`,
        });
      }
    } else if (r.reason === 'cancelled') useDp.setState({ status: 'cancelled' });
    else useDp.setState({ status: 'failed', error: r.reason === 'gone' ? gone : r.message });
  })();
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
