/**
 * The defences lab's side of the UI: its panels (training, certification, the detector). The shell
 * (src/ui/App.tsx) shows the panels of every lab of src/labs/panels.ts.
 */
import { CertifyPanel } from './CertifyPanel';

export function DefencesPanels() {
  return (
    <>
      <CertifyPanel />
    </>
  );
}
