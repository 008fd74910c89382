/**
 * The defences lab's side of the UI: its panels (training, the user's models, the clean-vs-robust
 * trade-off; certification; the feature-squeezing detector). The shell (src/ui/App.tsx) shows the panels of every lab
 * of src/labs/panels.ts. The defence panel (the transformations in front of the model) is shown on the
 * attacks tab too, beside the studio that attacks the defended model (SHARED_PANELS in panels.ts).
 */
import { ModelsPanel } from './ModelsPanel';
import { TradeoffPanel } from './TradeoffPanel';
import { TrainPanel } from './TrainPanel';

export { DefencePanel } from './DefencePanel';
import { CertifyPanel } from './CertifyPanel';
import { DetectorPanel } from './DetectorPanel';

export function DefencesPanels() {
  return (
    <>
      <TrainPanel />
      <ModelsPanel />
      <TradeoffPanel />
      <CertifyPanel />
      <DetectorPanel />
    </>
  );
}
