/**
 * The certification panel's state and action: one cancellable job of the shared job runner
 * (src/ui/jobs.ts) calling the lab's `certify` worker job (../jobs.ts), its per-image rows streamed.
 */
import { create } from 'zustand';
import { afterReconcile, computeClient } from '../../../ui/controller';
import { runJob } from '../../../ui/jobs';
import { jobOfKind, setupBusy, useLab, type LabState } from '../../../ui/store';
import type { CertifyImageRow, CertifyOutcome } from '../certify-job';

export interface CertifyState {
  outcome: CertifyOutcome | null;
  /** Per-image rows streamed while the job runs. */
  live: CertifyImageRow[];
  error: string | null;
}

export const useCertify = create<CertifyState>(() => ({ outcome: null, live: [], error: null }));

export const certifyBusy = (s: LabState): boolean => jobOfKind(s, 'certify') !== null || setupBusy(s);

/** Noisy samples of the first image sent back for the strip. */
const STRIP = 12;

export function runCertify(): void {
  const s = useLab.getState();
  const e = s.experiment;
  if (certifyBusy(s) || !s.model || s.model.dataset !== e.dataset || !s.dataset || s.dataset.missing) return;
  const settings = { ...e.certify, radii: [...e.certify.radii] };
  const n = settings.images;
  useCertify.setState({ outcome: null, live: [], error: null });
  void (async () => {
    const r = await runJob({
      kind: 'certify',
      label: `Certifying ${n} test image${n === 1 ? '' : 's'} from ${settings.start} (sigma ${settings.sigma}, n ${settings.samples})`,
      cancellable: true,
      usesModel: true,
      after: afterReconcile,
      call: (jobId, onProgress) =>
        computeClient().run('defences', 'certify', { jobId, dataset: e.dataset, settings, strip: STRIP }, onProgress),
      onPayload: (rows: CertifyImageRow[]) => useCertify.setState((st) => ({ live: [...st.live, ...rows] })),
    });
    if (r.ok) useCertify.setState({ outcome: r.value });
    else if (r.reason !== 'cancelled')
      useCertify.setState({ error: r.reason === 'gone' ? 'The certification was stopped and the compute worker restarted.' : r.message });
  })();
}
