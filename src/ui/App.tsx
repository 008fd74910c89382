import { Suspense } from 'react';
import { LAB_PANELS, SHARED_PANELS } from '../labs/panels';
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
      <header className="lab-header">
        <h1>
          Robustness Lab <span className="subtitle">adversarial robustness, in your browser</span>
        </h1>
        <StatusBar />
        <ShareLink />
        <TeachingToolbar />
      </header>
      <UpdatePrompt />
      <Notices />
      <JobsTray />
      <LabTabs />
      <main className="lab-grid" id="lab-panels" role="tabpanel" aria-labelledby={`lab-tab-${lab}`}>
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
      </main>
    </div>
  );
}
