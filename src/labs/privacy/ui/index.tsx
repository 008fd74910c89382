/**
 * The privacy lab's side of the UI: its panels (DP-SGD training, membership inference, gradient
 * leakage). The shell (src/ui/App.tsx) shows the panels of every lab of src/labs/panels.ts.
 */
import { MiaPanel } from './MiaPanel';
import { LeakPanel } from './LeakPanel';
import { DpTrainPanel } from './DpTrainPanel';
import { DpChartPanel } from './DpChartPanel';
import { DpClipPanel } from './DpClipPanel';

export function PrivacyPanels() {
  return (
    <>
      <DpTrainPanel />
      <DpChartPanel />
      <DpClipPanel />
      <MiaPanel />
      <LeakPanel />
    </>
  );
}
