/**
 * The data-poisoning panel's state and action: one cancellable job of the shared job runner
 * (src/ui/jobs.ts) calling the lab's `poison` worker job (../jobs.ts), its per-batch losses streamed.
 */
import { create } from 'zustand';
import { afterReconcile, computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { publishedLessonState, publishLessonState } from '../../../ui/lessons/lab-states';
import { jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import type { PoisonBatchPoint, PoisonOutcome } from '../poison-job';

export interface PoisonUiState {
  outcome: PoisonOutcome | null;
  /** Losses streamed while the job runs. */
  live: PoisonBatchPoint[];
  error: string | null;
}

export const usePoison = create<PoisonUiState>(() => ({ outcome: null, live: [], error: null }));

export const poisonBusy = (s: LabState): boolean => jobOfKind(s, 'poison') !== null || setupBusy(s);

/** Triggered test images sent back for the samples row. */
const SAMPLES = 8;

export function runPoison(): void {
  const s = useLab.getState();
  const e = s.experiment;
  if (poisonBusy(s) || !s.dataset || s.dataset.missing || s.dataset.id !== e.dataset) return;
  const settings = { ...e.poison };
  const seed = e.federation.seed;
  usePoison.setState({ outcome: null, live: [], error: null });
  void (async () => {
    const r = await runJob({
      kind: 'poison',
      label: `Poisoning ${Math.round(settings.rate * 100)}% of the training images (${settings.trigger}, target ${settings.target})`,
      cancellable: true,
      usesModel: true,
      after: afterReconcile,
      call: (jobId, onProgress) =>
        computeClient().run('federated', 'poison', { jobId, dataset: e.dataset, settings, seed, samples: SAMPLES }, onProgress),
      onPayload: (points: PoisonBatchPoint[]) => usePoison.setState((st) => ({ live: [...st.live, ...points] })),
    });
    if (r.ok) {
      usePoison.setState({ outcome: r.value });
      // the lessons read every finished run (lessons/view.ts), oldest first
      publishLessonState('federated', { poisonRuns: [...(publishedLessonState('federated')?.poisonRuns ?? []), r.value] });
    } else if (r.reason !== 'cancelled')
      usePoison.setState({ error: r.reason === 'gone' ? 'The training was stopped and the compute worker restarted.' : r.message });
  })();
}
