/**
 * The tabs that switch between labs (their panels; the setup, image and prediction panels are shared).
 * The active lab is part of the experiment (`lab=` in the link), so a link opens on its lab.
 */
import { LABS } from '../labs/index';
import { patchExperiment, useLab } from './store';
import { useControl } from './lessons/view';

/** The lab shown: the experiment's, or the first lab when the link names none the app has. */
export function activeLabId(lab: string): string {
  return LABS.some((l) => l.id === lab) ? lab : LABS[0].id;
}

export function LabTabs() {
  const lab = activeLabId(useLab((s) => s.experiment.lab));
  // a classroom link that locks the lab shows its tab only
  const fixed = useControl('lab') !== 'free';
  return (
    <nav className="lab-tabs" role="tablist" aria-label="Labs">
      {LABS.filter((l) => !fixed || l.id === lab).map((l) => (
        <button
          key={l.id}
          type="button"
          role="tab"
          id={`lab-tab-${l.id}`}
          aria-selected={l.id === lab}
          aria-controls="lab-panels"
          className={l.id === lab ? 'lab-tab active' : 'lab-tab'}
          data-testid={`lab-tab-${l.id}`}
          onClick={() => patchExperiment({ lab: l.id })}
        >
          {l.title}
        </button>
      ))}
    </nav>
  );
}
