import type { Locator, Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the membership-inference panel (src/labs/privacy/ui/MiaPanel.tsx). */
export class PrivacyMiaPage extends LabPage {
  readonly panel: Locator;
  readonly run: Locator;
  readonly jobProgress: Locator;
  readonly results: Locator;
  readonly roc: Locator;
  readonly table: Locator;
  readonly exposed: Locator;
  readonly summary: Locator;
  readonly error: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.panel = page.getByRole('region', { name: 'Membership inference' });
    this.run = id('pv-mia-run');
    this.jobProgress = id('pv-mia-progress');
    this.results = id('pv-mia-results');
    this.roc = id('pv-mia-roc');
    this.table = id('pv-mia-table');
    this.exposed = id('pv-mia-exposed');
    this.summary = id('pv-mia-summary');
    this.error = id('pv-mia-error');
  }

  /** A field's input, by its URL key without the `pv.` prefix (pool, sh, seed, arch, ep, bs, lr, ho). */
  input(urlKey: string): Locator {
    return this.page.getByTestId(`pv-mia-${urlKey}-input`);
  }

  /** One attack's AUC cell. */
  auc(attack: string): Locator {
    return this.page.getByTestId(`pv-mia-auc-${attack}`);
  }
}
