import type { Locator, Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the gradient-leakage panel (src/labs/privacy/ui/LeakPanel.tsx). */
export class LeakPage extends LabPage {
  readonly panel: Locator;
  readonly run: Locator;
  readonly metrics: Locator;
  readonly reconstruction: Locator;
  readonly gradientStrength: Locator;

  constructor(page: Page) {
    super(page);
    this.panel = page.getByTestId('leak-panel');
    this.run = page.getByTestId('leak-run');
    this.metrics = page.getByTestId('leak-metrics');
    this.reconstruction = page.getByTestId('leak-reconstruction');
    this.gradientStrength = page.getByTestId('leak-gradient-strength');
  }

  /** A leak field's input, by its URL key without the `pv.` prefix (lm, li, lb, lt, ln, lp, lc, lv, ls). */
  input(key: string): Locator {
    return this.page.getByTestId(`pv-${key}-input`);
  }
}
