/**
 * The federated lab's side of the UI: its panels (data poisoning; the federated simulation). The shell
 * (src/ui/App.tsx) shows the panels of every lab of src/labs/panels.ts.
 */
import { PoisonPanel } from './PoisonPanel';
import { FederatedPanel } from './FederatedPanel';

export function FederatedPanels() {
  return (
    <>
      <PoisonPanel />
      <FederatedPanel />
    </>
  );
}
