import { Suspense, type MouseEvent } from 'react';
import { LAB_PANELS, SHARED_PANELS } from '../labs/panels';
import { DisplaySettings } from './DisplaySettings';
import { ImagePanel } from './ImagePanel';
import { Notices } from './Notices';
import { UpdatePrompt } from './UpdatePrompt';
import { PredictionPanel } from './PredictionPanel';
import { JobsTray } from './JobsTray';
import { activeLabId, LabTabs } from './LabTabs';
import { SetupPanel } from './SetupPanel';
import { ShareLink } from './ShareLink';
import { StatusBar } from './StatusBar';
import { hasJobs, useLab } from './store';
import { LessonPanel } from './lessons/LessonPanel';
import { TeachingToolbar } from './lessons/Toolbar';
import { useView } from './lessons/view';

/** Follow a skip link: focus its target (a section with tabIndex -1), so the next Tab goes on from there. */
function skipTo(ev: MouseEvent<HTMLAnchorElement>): void {
  const id = ev.currentTarget.getAttribute('href')?.slice(1) ?? '';
  const target = document.getElementById(id) ?? document.getElementById('lab-panels');
  if (!target) return;
  // the hash carries the experiment: move focus without touching it
  ev.preventDefault();
  target.focus();
  target.scrollIntoView({ block: 'start' });
}

export function App() {
  const settled = useLab((s) => s.settled);
  const busy = useLab(hasJobs);
  const lab = activeLabId(useLab((s) => s.experiment.lab));
  const present = useView((v) => v.present);
  return (
    <div
      className={present ? 'lab present' : 'lab'}
      data-testid="lab"
      data-present={present ? 'true' : 'false'}
      data-settled={settled && !busy ? 'true' : 'false'}
    >
      {/* the first stop of the Tab key: past the header and the setup to the lab's own controls */}
      <a className="skip-link" href={lab === 'attacks' ? '#attack-studio' : '#lab-panels'} data-testid="skip-link" onClick={skipTo}>
        {lab === 'attacks' ? 'Skip to the attack studio' : 'Skip to the lab'}
      </a>
      <header className="lab-header">
        <h1>
          Robustness Lab <span className="subtitle">adversarial robustness, in your browser</span>
        </h1>
        <StatusBar />
        <DisplaySettings />
        <ShareLink />
        <TeachingToolbar />
      </header>
      <main className="lab-main">
        <UpdatePrompt />
        <Notices />
        <JobsTray />
        <LabTabs />
        <div className="lab-grid" id="lab-panels" role="tabpanel" aria-labelledby={`lab-tab-${lab}`} tabIndex={-1}>
          <LessonPanel />
          <SetupPanel />
          <ImagePanel />
          <PredictionPanel />
          {/* the labs' panels load as chunks of their own (labs/panels.ts) */}
          <Suspense
            fallback={
              <p className="panels-loading" role="status">
                Loading the panels…
              </p>
            }
          >
            {SHARED_PANELS.filter(({ tabs }) => tabs.includes(lab)).map(({ id, Panel }) => (
              <Panel key={id} />
            ))}
            {LAB_PANELS.filter(({ id }) => id === lab).map(({ id, Panels }) => (
              <Panels key={id} />
            ))}
          </Suspense>
        </div>
      </main>
    </div>
  );
}
