import { LAB_PANELS } from '../labs/panels';
import { ImagePanel } from './ImagePanel';
import { Notices } from './Notices';
import { PredictionPanel } from './PredictionPanel';
import { JobsTray } from './JobsTray';
import { SetupPanel } from './SetupPanel';
import { ShareLink } from './ShareLink';
import { StatusBar } from './StatusBar';
import { hasJobs, useLab } from './store';

export function App() {
  const settled = useLab((s) => s.settled);
  const busy = useLab(hasJobs);
  return (
    <div className="lab" data-testid="lab" data-settled={settled && !busy ? 'true' : 'false'}>
      <header className="lab-header">
        <h1>
          Robustness Lab <span className="subtitle">adversarial robustness, in your browser</span>
        </h1>
        <StatusBar />
        <ShareLink />
      </header>
      <Notices />
      <JobsTray />
      <main className="lab-grid">
        <SetupPanel />
        <ImagePanel />
        <PredictionPanel />
        {LAB_PANELS.map(({ id, Panels }) => (
          <Panels key={id} />
        ))}
      </main>
    </div>
  );
}
