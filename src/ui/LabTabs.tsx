/**
 * The tabs that switch between labs (their panels; the setup, image and prediction panels are shared).
 * The active lab is part of the experiment (`lab=` in the link), so a link opens on its lab.
 * Keyboard as WAI-ARIA's tabs pattern: one Tab stop (the active tab), arrow keys, Home and End move
 * between tabs and open them.
 */
import type { KeyboardEvent } from 'react';
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
  const shown = LABS.filter((l) => !fixed || l.id === lab);
  const onKey = (ev: KeyboardEvent<HTMLElement>) => {
    const i = shown.findIndex((l) => l.id === lab);
    const next =
      ev.key === 'ArrowRight'
        ? (i + 1) % shown.length
        : ev.key === 'ArrowLeft'
          ? (i - 1 + shown.length) % shown.length
          : ev.key === 'Home'
            ? 0
            : ev.key === 'End'
              ? shown.length - 1
              : null;
    if (next === null || next === i) return;
    ev.preventDefault();
    patchExperiment({ lab: shown[next].id });
    document.getElementById(`lab-tab-${shown[next].id}`)?.focus();
  };
  return (
    <div className="lab-tabs" role="tablist" aria-label="Labs" onKeyDown={onKey}>
      {shown.map((l) => (
        <button
          key={l.id}
          type="button"
          role="tab"
          id={`lab-tab-${l.id}`}
          aria-selected={l.id === lab}
          tabIndex={l.id === lab ? 0 : -1}
          aria-controls="lab-panels"
          className={l.id === lab ? 'lab-tab active' : 'lab-tab'}
          data-testid={`lab-tab-${l.id}`}
          onClick={() => patchExperiment({ lab: l.id })}
        >
          {l.title}
        </button>
      ))}
    </div>
  );
}
