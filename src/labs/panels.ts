/**
 * The labs' panels, by lab, in the order the shell shows them (browser only). Every lab of LABS has an
 * entry here; labs.test.ts checks that the lists agree. Each lab's panels show on its own tab;
 * SHARED_PANELS are a lab's panels that also show on other labs' tabs.
 *
 * Each lab's panels are a chunk of their own, loaded when a tab shows them (React.lazy; the shell
 * renders them inside Suspense): the page's first JavaScript is the shell, and the charts' library
 * comes with the first panel that draws one.
 */
import { lazy, type ComponentType } from 'react';

/** A named export of a panels module, loaded on first render. */
function lazyPanel<M>(load: () => Promise<M>, pick: (m: M) => ComponentType): ComponentType {
  return lazy(() => load().then((m) => ({ default: pick(m) })));
}

export const LAB_PANELS: readonly { id: string; Panels: ComponentType }[] = [
  {
    id: 'attacks',
    Panels: lazyPanel(
      () => import('./attacks/ui/index'),
      (m) => m.AttacksPanels,
    ),
  },
  {
    id: 'defences',
    Panels: lazyPanel(
      () => import('./defences/ui/index'),
      (m) => m.DefencesPanels,
    ),
  },
  {
    id: 'federated',
    Panels: lazyPanel(
      () => import('./federated/ui/index'),
      (m) => m.FederatedPanels,
    ),
  },
  {
    id: 'privacy',
    Panels: lazyPanel(
      () => import('./privacy/ui/index'),
      (m) => m.PrivacyPanels,
    ),
  },
];

/** The defended model is what the attack studio and the batch check attack: its panel shows on both tabs, before the lab's own. */
export const SHARED_PANELS: readonly { id: string; lab: string; Panel: ComponentType; tabs: readonly string[] }[] = [
  {
    id: 'defence',
    lab: 'defences',
    Panel: lazyPanel(
      () => import('./defences/ui/DefencePanel'),
      (m) => m.DefencePanel,
    ),
    tabs: ['attacks', 'defences'],
  },
];
