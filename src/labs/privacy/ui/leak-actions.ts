/**
 * The gradient-leakage panel's state and actions: one cancellable job of the shared runner calling the
 * privacy lab's `leak` worker job (../leak-job.ts). Frames of the reconstruction stream in as progress
 * payload, so the panel animates it; the PSNR grid's points follow.
 */
import { create } from 'zustand';
import { DATASETS } from '../../../core/data/datasets';
import { computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { publishedLessonState, publishLessonState } from '../../../ui/lessons/lab-states';
import { jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import type { LeakEvent, LeakFrame, LeakGrid, LeakOutcome, LeakRequest } from '../leak-job';

export type { LeakFrame };

export interface LeakUiState {
  frames: LeakFrame[];
  points: { batch: number; noise: number; psnr: number; mse: number }[];
  outcome: LeakOutcome | null;
  status: 'idle' | 'running' | 'done' | 'cancelled' | 'failed';
  error: string | null;
  /** The data set the frames belong to (their image shape). */
  dataset: string | null;
  batch: number;
  original: { shape: [number, number, number]; pixels: Float32Array; labels: number[] } | null;
}

export const useLeak = create<LeakUiState>(() => ({
  frames: [],
  points: [],
  outcome: null,
  status: 'idle',
  error: null,
  dataset: null,
  batch: 1,
  original: null,
}));

export const leakBusy = (s: LabState): boolean => jobOfKind(s, 'leak') !== null || setupBusy(s);

/** The grid of the PSNR chart: batch sizes (no noise) and noise levels (batch 1), short runs. */
export const LEAK_GRID: LeakGrid = { batches: [1, 2, 4], noises: [1e-3, 1e-2, 1e-1], iterations: 10 };

export function runLeakJob(withGrid: boolean): void {
  const s = useLab.getState();
  if (leakBusy(s)) return;
  const e = s.experiment;
  if (!DATASETS[e.dataset] || e.dataset === 'spam-assassin') {
    useLeak.setState({ error: 'Gradient leakage runs on an image data set: choose one in Setup.' });
    return;
  }
  const request: LeakRequest = { dataset: e.dataset, settings: { ...e.leak }, ...(withGrid ? { grid: LEAK_GRID } : {}) };
  useLeak.setState({
    frames: [],
    points: [],
    outcome: null,
    status: 'running',
    error: null,
    dataset: e.dataset,
    batch: e.leak.batch,
    original: null,
  });
  void (async () => {
    const r = await runJob<LeakOutcome, LeakEvent>({
      kind: 'leak',
      label: `Gradient leakage (${e.leak.method})`,
      cancellable: true,
      call: (jobId, onProgress) => computeClient().run('privacy', 'leak', { jobId, ...request }, onProgress),
      onPayload: (items) =>
        useLeak.setState((st) => {
          const frames = [...st.frames];
          const points = [...st.points];
          let original = st.original;
          for (const ev of items) {
            if (ev.kind === 'frame') frames.push(ev);
            else if (ev.kind === 'point') points.push(ev);
            else original = { shape: ev.shape, pixels: ev.original, labels: ev.labels };
          }
          // keep the latest frames only (each is an image batch)
          return { frames: frames.slice(-60), points, original };
        }),
    });
    if (r.ok) {
      useLeak.setState({ status: 'done', outcome: r.value, points: r.value.points });
      // the lessons read every finished run with the settings it ran with (lessons/view.ts), oldest first
      const { mse, psnr, labelCorrect } = r.value;
      const run = { settings: request.settings, mse, psnr, labelCorrect };
      publishLessonState('privacy', { leakRuns: [...(publishedLessonState('privacy')?.leakRuns ?? []), run] });
    } else if (r.reason === 'cancelled') useLeak.setState({ status: 'cancelled' });
    else
      useLeak.setState({
        status: 'failed',
        error: r.reason === 'gone' ? 'The attack was stopped and the compute worker restarted.' : r.message,
      });
  })();
}
