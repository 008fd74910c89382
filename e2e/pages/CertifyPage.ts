import type { Locator, Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the certification panel (randomized smoothing). */
export class CertifyPage extends LabPage {
  readonly panel: Locator;
  readonly run: Locator;
  readonly cancel: Locator;
  readonly jobProgress: Locator;
  readonly result: Locator;
  readonly histogram: Locator;
  readonly histogramBars: Locator;
  readonly strip: Locator;
  readonly smoothedPrediction: Locator;
  readonly pALower: Locator;
  readonly radius: Locator;
  readonly curve: Locator;
  readonly table: Locator;
  readonly error: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.panel = page.getByRole('region', { name: 'Certified robustness (randomized smoothing)' });
    this.run = id('certify-run');
    this.cancel = id('certify-cancel');
    this.jobProgress = id('certify-progress');
    this.result = id('certify-result');
    this.histogram = id('certify-histogram');
    this.histogramBars = this.histogram.locator('.recharts-bar-rectangle');
    this.strip = id('certify-strip');
    this.smoothedPrediction = id('certify-prediction');
    this.pALower = id('certify-palower');
    this.radius = id('certify-radius');
    this.curve = id('certify-curve');
    this.table = id('certify-table');
    this.error = id('certify-error');
  }

  /** A certification field's input, by its URL key (sigma, n0, n, alpha, ni, i0, b, seed, r, as, ak). */
  input(urlKey: string): Locator {
    return this.page.getByTestId(`certify-${urlKey}-input`);
  }
}
