/**
 * The labs' panels, by lab, in the order the shell shows them (browser only). Every lab of LABS has an
 * entry here; labs.test.ts checks that the lists agree. Each lab's panels show on its own tab;
 * SHARED_PANELS are a lab's panels that also show on other labs' tabs.
 */
import type { ComponentType } from 'react';
import { AttacksPanels } from './attacks/ui/index';
import { DefencePanel, DefencesPanels } from './defences/ui/index';
import { FederatedPanels } from './federated/ui/index';
import { PrivacyPanels } from './privacy/ui/index';

export const LAB_PANELS: readonly { id: string; Panels: ComponentType }[] = [
  { id: 'attacks', Panels: AttacksPanels },
  { id: 'defences', Panels: DefencesPanels },
  { id: 'federated', Panels: FederatedPanels },
  { id: 'privacy', Panels: PrivacyPanels },
];

/** The defended model is what the attack studio and the batch check attack: its panel shows on both tabs, before the lab's own. */
export const SHARED_PANELS: readonly { id: string; lab: string; Panel: ComponentType; tabs: readonly string[] }[] = [
  { id: 'defence', lab: 'defences', Panel: DefencePanel, tabs: ['attacks', 'defences'] },
];
