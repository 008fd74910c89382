import type { Locator, Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the DP-SGD panels (src/labs/privacy/ui/DpTrainPanel.tsx, DpChartPanel.tsx, DpClipPanel.tsx). */
export class PrivacyDpPage extends LabPage {
  readonly run: Locator;
  readonly jobProgress: Locator;
  readonly plan: Locator;
  readonly status: Locator;
  readonly curve: Locator;
  readonly result: Locator;
  readonly chart: Locator;
  readonly chartTable: Locator;
  readonly clipRun: Locator;
  readonly clipResult: Locator;
  readonly clipBars: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.run = id('pv-dp-run');
    this.jobProgress = id('pv-dp-progress');
    this.plan = id('pv-dp-plan');
    this.status = id('pv-dp-status');
    this.curve = id('pv-dp-curve');
    this.result = id('pv-dp-result');
    this.chart = id('pv-dpchart-chart');
    this.chartTable = id('pv-dpchart-table');
    this.clipRun = id('pv-dp-clip-run');
    this.clipResult = id('pv-dp-clip-result');
    this.clipBars = id('pv-dp-clip-bars');
  }

  /** A DP field's input, by its URL key without the `pv.` prefix (dsig, dclip, dbs, dep, dn, ...). */
  input(urlKey: string): Locator {
    return this.page.getByTestId(`pv-dp-${urlKey}-input`);
  }

  /** A model's row in the accuracy-against-epsilon table. */
  chartRow(model: string): Locator {
    return this.page.getByTestId(`pv-dpchart-row-${model}`);
  }

  /** A number the clipping view writes out (norm, clipped, noise, update). */
  async clipNumber(which: 'norm' | 'clipped' | 'noise' | 'update'): Promise<number> {
    return Number(await this.page.getByTestId(`pv-dp-clip-${which}`).textContent());
  }
}
