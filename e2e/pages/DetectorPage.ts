import type { Locator, Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the feature-squeezing detector panel. */
export class DetectorPage extends LabPage {
  readonly panel: Locator;
  readonly run: Locator;
  readonly result: Locator;
  readonly roc: Locator;
  readonly scores: Locator;
  readonly auc: Locator;
  readonly detectionRate: Locator;
  readonly error: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.panel = id('detector-panel');
    this.run = id('detector-run');
    this.result = id('detector-result');
    this.roc = id('detector-roc');
    this.scores = id('detector-scores');
    this.auc = id('detector-auc');
    this.detectionRate = id('detector-rate');
    this.error = id('detector-error');
  }

  /** A detector field's input, by its URL key (sq, fpr, dn, dstart, dclean, dadapt). */
  input(urlKey: string): Locator {
    return this.page.getByTestId(`detector-${urlKey}-input`);
  }
}
