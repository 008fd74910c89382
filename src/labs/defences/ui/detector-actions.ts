/**
 * The detector panel's state and action: one cancellable job of the shared job runner (src/ui/jobs.ts)
 * calling the lab's `detect` worker job (../detector/job.ts) with the studio's attack.
 */
import { create } from 'zustand';
import { afterReconcile, computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import type { DetectOutcome } from '../detector/job';

export interface DetectorState {
  outcome: DetectOutcome | null;
  error: string | null;
}

export const useDetector = create<DetectorState>(() => ({ outcome: null, error: null }));

export const detectorBusy = (s: LabState): boolean => jobOfKind(s, 'detect') !== null || setupBusy(s);

export function runDetector(): void {
  const s = useLab.getState();
  const e = s.experiment;
  if (detectorBusy(s) || !s.model || s.model.dataset !== e.dataset || !s.dataset || s.dataset.missing) return;
  const settings = { ...e.detector };
  const attack = { ...e.attack };
  useDetector.setState({ outcome: null, error: null });
  void (async () => {
    const r = await runJob({
      kind: 'detect',
      label: `Feature squeezing (${settings.squeezers}) against ${attack.name} on ${settings.images} images`,
      cancellable: true,
      usesModel: true,
      after: afterReconcile,
      call: (jobId, onProgress) => computeClient().run('defences', 'detect', { jobId, dataset: e.dataset, settings, attack }, onProgress),
    });
    if (r.ok) useDetector.setState({ outcome: r.value });
    else if (r.reason !== 'cancelled')
      useDetector.setState({ error: r.reason === 'gone' ? 'The detector run was stopped and the compute worker restarted.' : r.message });
  })();
}
