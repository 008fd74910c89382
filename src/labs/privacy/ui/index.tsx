/**
 * The privacy lab's side of the UI: its panels (DP-SGD training, membership inference, gradient
 * leakage). The shell (src/ui/App.tsx) shows the panels of every lab of src/labs/panels.ts.
 */
import { MiaPanel } from './MiaPanel';
import { LeakPanel } from './LeakPanel';

export function PrivacyPanels() {
  return (
    <>
      <MiaPanel />
      <LeakPanel />
    </>
  );
}
