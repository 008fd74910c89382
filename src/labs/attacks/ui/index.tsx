/**
 * The attacks lab's side of the UI: the attack studio and the batch robustness check (panels, their
 * actions, the presets the studio applies). The shell (src/ui/App.tsx) shows the panels of every lab
 * of src/labs/panels.ts.
 */
import { AttackPanel } from './AttackPanel';
import { BatchPanel } from './BatchPanel';

export function AttacksPanels() {
  return (
    <>
      <AttackPanel />
      <BatchPanel />
    </>
  );
}
