import { expect, type Locator, type Page } from '@playwright/test';

/** The defences lab's Train panel and model list, as a test sees them. */
export class TrainPage {
  readonly page: Page;
  readonly start: Locator;
  readonly pause: Locator;
  readonly resume: Locator;
  readonly paused: Locator;
  readonly status: Locator;
  readonly batchChart: Locator;
  readonly holdoutChart: Locator;
  readonly speedChart: Locator;
  readonly checkpoint: Locator;
  readonly result: Locator;
  readonly error: Locator;
  readonly modelRows: Locator;
  readonly importInput: Locator;
  readonly modelsMessage: Locator;
  readonly modelSelect: Locator;

  constructor(page: Page) {
    this.page = page;
    const id = (t: string) => page.getByTestId(t);
    this.start = id('train-start');
    this.pause = id('train-pause');
    this.resume = id('train-resume');
    this.paused = id('train-paused');
    this.status = id('train-status');
    this.batchChart = id('train-batch-chart');
    this.holdoutChart = id('train-holdout-chart');
    this.speedChart = id('train-speed-chart');
    this.checkpoint = id('train-checkpoint');
    this.result = id('train-result');
    this.error = id('train-error');
    this.modelRows = id('models-row');
    this.importInput = id('models-import-input');
    this.modelsMessage = id('models-message');
    this.modelSelect = id('model-select');
  }

  /** Open the lab with training settings in the link (def.* keys) and wait until it has settled. */
  async open(params: Record<string, string | number>, backend?: string): Promise<void> {
    const q = new URLSearchParams({
      v: '2',
      lab: 'defences',
      ...(backend ? { backend } : {}),
      'def.v': '1',
      ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`def.${k}`, String(v)])),
    });
    await this.page.goto(`/#${q.toString()}`);
    await expect(this.page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
  }

  async points(chart: Locator): Promise<number> {
    return Number(await chart.getAttribute('data-points'));
  }

  /** The ids of the model picker's options. */
  async pickerModels(): Promise<string[]> {
    return this.modelSelect.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
  }

  /** Import files (name + bytes) through the model list's file input. */
  async importFiles(files: { name: string; buffer: Buffer }[]): Promise<void> {
    await this.importInput.setInputFiles(files.map((f) => ({ ...f, mimeType: 'application/octet-stream' })));
  }
}
