/**
 * The labs' panels, by lab, in the order the shell shows them (browser only). Every lab of LABS has an
 * entry here; labs.test.ts checks that the lists agree.
 */
import type { ComponentType } from 'react';
import { AttacksPanels } from './attacks/ui/index';
import { DefencesPanels } from './defences/ui/index';

export const LAB_PANELS: readonly { id: string; Panels: ComponentType }[] = [
  { id: 'attacks', Panels: AttacksPanels },
  { id: 'defences', Panels: DefencesPanels },
];
