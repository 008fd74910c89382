import { expect, type Locator, type Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the federated simulation panel (src/labs/federated/ui/FederatedPanel.tsx). */
export class FederatedPage extends LabPage {
  readonly panel: Locator;
  readonly run: Locator;
  readonly compareRun: Locator;
  readonly cancel: Locator;
  readonly jobProgress: Locator;
  readonly summary: Locator;
  readonly accuracyChart: Locator;
  readonly labelHistograms: Locator;
  readonly normsChart: Locator;
  readonly weightsChart: Locator;
  readonly heatmap: Locator;
  readonly roundSlider: Locator;
  readonly roundShown: Locator;
  readonly error: Locator;
  /** Secure aggregation's server view of the shown round (SecAggView.tsx), and the "keep earlier runs" box. */
  readonly secaggView: Locator;
  readonly secaggConflict: Locator;
  readonly keep: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.panel = page.getByRole('region', { name: 'Federated learning under attack' });
    this.run = id('fl-run');
    this.compareRun = id('fl-compare-run');
    this.cancel = id('fl-cancel');
    this.jobProgress = id('fl-progress');
    this.summary = id('fl-summary');
    this.accuracyChart = id('fl-accuracy-chart');
    this.labelHistograms = id('fl-label-histograms');
    this.normsChart = id('fl-norms-chart');
    this.weightsChart = id('fl-weights-chart');
    this.heatmap = id('fl-cosine-heatmap');
    this.roundSlider = id('fl-round-slider');
    this.roundShown = id('fl-round-shown');
    this.error = id('fl-error');
    this.secaggView = id('sa-view');
    this.secaggConflict = id('fl-secagg-conflict');
    this.keep = id('fl-keep');
  }

  /** A simulation field's input, by its URL key without the `fl.` prefix (n, k, r, split, pc, atk, mal, agg, f, kappa...). */
  input(urlKey: string): Locator {
    return this.page.getByTestId(`fl-${urlKey}-input`);
  }

  /** The "Compare aggregators" tick box of one rule. */
  compareBox(rule: string): Locator {
    return this.page.getByTestId(`fl-compare-${rule}`);
  }

  /** One run's summary line (data-status: queued, running, done, cancelled, failed). */
  runSummary(rule: string): Locator {
    return this.page.getByTestId(`fl-summary-${rule}`);
  }

  /** Tick exactly these rules for "Compare". */
  async chooseCompared(rules: readonly string[]): Promise<void> {
    const all = ['fedavg', 'krum', 'multikrum', 'median', 'trimmed-mean', 'norm-clip', 'foolsgold', 'bulyan', 'fltrust'];
    for (const r of all) await this.compareBox(r).setChecked(rules.includes(r));
    await expect(this.compareRun).toHaveText(`Compare ${rules.length} aggregator${rules.length === 1 ? '' : 's'}`);
  }
}
