/**
 * The membership-inference panel's state and action: one run at a time, a cancellable job of the shared
 * job runner calling the lab's `mia` worker job (../mia-job.ts) with the slice's settings (pv.*) on
 * Setup's data set.
 */
import { create } from 'zustand';
import { DATASETS } from '../../../core/data/datasets';
import type { ArchitectureId } from '../../../core/models/architectures';
import { computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { publishLessonState } from '../../../ui/lessons/lab-states';
import { jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import { miaDp } from '../experiment/mia';
import type { MiaConfig } from '../mia';
import type { MiaEvent, MiaOutcome, MiaRequest } from '../mia-job';

/** The training splits the browser has. */
export const MIA_DATASETS = ['mnist', 'fashion-mnist'] as const;

/** Most exposed members shown. */
export const EXPOSED = 12;

export interface MiaUiState {
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  outcome: MiaOutcome | null;
  /** Models finished so far (train and test accuracy). */
  models: { trainAccuracy: number; testAccuracy: number }[];
  error: string | null;
}

export const useMia = create<MiaUiState>(() => ({ status: 'idle', outcome: null, models: [], error: null }));

// the lessons read the run's status and outcome (lessons/view.ts)
useMia.subscribe((s, before) => {
  if (s.status !== before.status || s.outcome !== before.outcome)
    publishLessonState('privacy', { mia: { status: s.status, outcome: s.outcome } });
});

export const miaBusy = (s: LabState): boolean => jobOfKind(s, 'mia') !== null || setupBusy(s);

export function miaDatasetProblem(dataset: string): string | null {
  return (MIA_DATASETS as readonly string[]).includes(dataset)
    ? null
    : `Membership inference trains on MNIST or Fashion-MNIST here: choose one of them in Setup (${DATASETS[dataset]?.name ?? dataset} is chosen).`;
}

export function runMiaExperiment(): void {
  const s = useLab.getState();
  if (miaBusy(s)) return;
  const e = s.experiment;
  const problem = miaDatasetProblem(e.dataset);
  if (problem) {
    useMia.setState({ error: problem });
    return;
  }
  const m = e.mia;
  const config: MiaConfig = {
    dataset: e.dataset,
    pool: m.pool,
    shadows: m.shadows,
    seed: m.seed,
    training: { architecture: m.architecture as ArchitectureId, epochs: m.epochs, batchSize: m.batchSize, learningRate: m.learningRate },
    holdout: m.holdout,
    ...(miaDp(m) && { dp: miaDp(m) }),
  };
  useMia.setState({ status: 'running', outcome: null, models: [], error: null });
  void (async () => {
    const request: MiaRequest = { config, exposed: EXPOSED };
    const r = await runJob<MiaOutcome, MiaEvent>({
      kind: 'mia',
      label: `Membership inference (${m.shadows} shadows)`,
      cancellable: true,
      call: (jobId, onProgress) => computeClient().run('privacy', 'mia', { jobId, ...request }, onProgress),
      onPayload: (items) =>
        useMia.setState((st) => ({
          models: [...st.models, ...items.map((it) => ({ trainAccuracy: it.trainAccuracy, testAccuracy: it.testAccuracy }))],
        })),
    });
    if (r.ok) useMia.setState({ status: 'done', outcome: r.value });
    else if (r.reason === 'cancelled') useMia.setState({ status: 'cancelled' });
    else
      useMia.setState({
        status: 'failed',
        error: r.reason === 'gone' ? 'The run was stopped and the compute worker restarted.' : r.message,
      });
  })();
}
