import { readFile } from 'node:fs/promises';
import { expect, type Locator, type Page } from '@playwright/test';

/** The studio's "Download adversarial (JSON)" file (src/ui/export.ts attackJson). */
export interface AttackExport {
  link: string;
  label: number;
  cleanPredicted: number;
  predicted: number;
  success: boolean;
  norms: { l0: number; l2: number; linf: number };
  queries: number;
  probs: number[];
  shape: number[];
  original: number[];
  adversarial: number[];
}

/** The lab page, as a test sees it: locators by test id and the few waits the tests share. */
export class LabPage {
  readonly page: Page;
  readonly backendName: Locator;
  readonly backendAdapter: Locator;
  readonly backendSelect: Locator;
  readonly tensors: Locator;
  readonly notices: Locator;
  readonly datasetSelect: Locator;
  readonly modelSelect: Locator;
  readonly sampleInput: Locator;
  readonly trueLabel: Locator;
  readonly predictedLabel: Locator;
  readonly imageCanvas: Locator;
  readonly progress: Locator;
  readonly progressAmount: Locator;
  readonly cancelButton: Locator;
  readonly attackName: Locator;
  readonly attackSteps: Locator;
  readonly attackEps: Locator;
  /** The studio's "More settings" disclosure (step size, restarts, seed, target, compare, own parameters). */
  readonly moreSettings: Locator;
  readonly attackRun: Locator;
  readonly attackStatus: Locator;
  readonly advPredicted: Locator;
  readonly attackCancel: Locator;
  readonly advCanvas: Locator;
  readonly pertCanvas: Locator;
  readonly traceChart: Locator;
  readonly batchN: Locator;
  readonly batchEps: Locator;
  readonly batchRun: Locator;
  readonly batchResult: Locator;
  readonly batchClean: Locator;
  readonly batchRobust: Locator;
  readonly batchCurve: Locator;
  readonly batchCsv: Locator;
  readonly attackJson: Locator;
  /** The jobs tray (every running job) and a panel's own job row. */
  readonly jobsTray: Locator;
  readonly attackProgress: Locator;
  readonly batchProgress: Locator;
  readonly batchCancel: Locator;

  constructor(page: Page) {
    this.page = page;
    const id = (t: string) => page.getByTestId(t);
    this.backendName = id('backend-name');
    this.backendAdapter = id('backend-adapter');
    this.backendSelect = id('backend-select');
    this.tensors = id('memory-tensors');
    this.notices = id('notice');
    this.datasetSelect = id('dataset-select');
    this.modelSelect = id('model-select');
    this.sampleInput = id('sample-input');
    this.trueLabel = id('true-label');
    this.predictedLabel = id('predicted-label');
    this.imageCanvas = id('image-canvas');
    this.progress = id('progress');
    this.progressAmount = id('progress-amount');
    this.cancelButton = id('cancel-button');
    this.attackName = id('attack-name');
    this.attackSteps = id('attack-steps');
    this.attackEps = id('attack-eps');
    this.moreSettings = id('attack-more');
    this.attackRun = id('attack-run');
    this.attackStatus = id('attack-status');
    this.advPredicted = id('adv-predicted');
    this.attackCancel = id('attack-cancel');
    this.advCanvas = id('adv-canvas');
    this.pertCanvas = id('pert-canvas');
    this.traceChart = id('trace-chart');
    this.batchN = id('batch-n-input');
    this.batchEps = id('batch-eps-input');
    this.batchRun = id('batch-run');
    this.batchResult = id('batch-result');
    this.batchClean = id('batch-clean');
    this.batchRobust = id('batch-robust');
    this.batchCurve = id('batch-curve');
    this.batchCsv = id('batch-csv');
    this.attackJson = id('attack-json');
    this.jobsTray = id('jobs-tray');
    this.attackProgress = id('attack-progress');
    this.batchProgress = id('batch-progress');
    this.batchCancel = id('batch-cancel');
  }

  /** The tab of a lab ('attacks', 'defences'). */
  labTab(lab: string): Locator {
    return this.page.getByTestId(`lab-tab-${lab}`);
  }

  /** The tray's row of the running job of a kind ('attack', 'batch', 'load', ...). */
  trayJob(kind: string): Locator {
    return this.page.locator(`[data-testid="progress"][data-kind="${kind}"]`);
  }

  /** How far a job row has got (data-done of its amount). */
  async jobDone(row: Locator): Promise<number> {
    return Number(await row.locator('[data-testid$="progress-amount"]').getAttribute('data-done'));
  }

  /** Open the lab at a hash ('' for the default view). */
  async open(hash = ''): Promise<void> {
    await this.page.goto(`/${hash}`);
  }

  /** Wait until the worker has caught up with the experiment: nothing loading, prediction (if any) shown. */
  async settled(): Promise<void> {
    await expect(this.page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
  }

  /** Wait for a prediction of the image currently shown. */
  async prediction(): Promise<{ predicted: string; label: string; sample: string }> {
    await expect(this.predictedLabel).toBeVisible();
    await this.settled();
    return {
      predicted: (await this.predictedLabel.getAttribute('data-class')) ?? '',
      label: (await this.trueLabel.getAttribute('data-class')) ?? '',
      sample: (await this.trueLabel.getAttribute('data-sample')) ?? '',
    };
  }

  async tensorCount(): Promise<number> {
    return Number((await this.tensors.textContent())?.replace(/,/g, ''));
  }

  /** The current URL hash parameters. */
  async hashParams(): Promise<URLSearchParams> {
    return new URLSearchParams(new URL(this.page.url()).hash.slice(1));
  }

  async chooseDataset(id: string): Promise<void> {
    await this.datasetSelect.selectOption(id);
  }

  async chooseSample(index: number): Promise<void> {
    await this.sampleInput.fill(String(index));
  }

  /** Open the studio's "More settings" (a no-op when a link or an earlier click opened it). */
  async openMoreSettings(): Promise<void> {
    if ((await this.moreSettings.getAttribute('aria-expanded')) !== 'true') await this.moreSettings.click();
    await expect(this.moreSettings).toHaveAttribute('aria-expanded', 'true');
  }

  /** Run the studio's attack and wait until it has finished (done, cancelled or failed). */
  async runAttack(): Promise<string> {
    await this.attackRun.click();
    await expect(this.attackStatus).toHaveAttribute('data-status', /done|cancelled|error/);
    await expect(this.progress).toHaveCount(0);
    return (await this.attackStatus.getAttribute('data-status')) ?? '';
  }

  /** RGBA bytes of a canvas (its 1:1 backing store, not the scaled-up display). */
  async canvasPixels(canvas: Locator): Promise<number[]> {
    return canvas.evaluate((c: HTMLCanvasElement) => {
      const ctx = c.getContext('2d')!;
      return Array.from(ctx.getImageData(0, 0, c.width, c.height).data);
    });
  }

  /** Points of the live attack chart. */
  async tracePoints(): Promise<number> {
    return Number(await this.traceChart.getAttribute('data-points'));
  }

  /** The L0, L2 and L-inf norms of the perturbation as the studio prints them. */
  async shownNorms(): Promise<{ l0: number; l2: number; linf: number }> {
    const read = async (t: string) => Number((await this.page.getByTestId(t).textContent())?.trim().split(' ')[0]);
    return { l0: await read('norm-l0'), l2: await read('norm-l2'), linf: await read('norm-linf') };
  }

  /** Download the finished attack's JSON export and parse it. */
  async downloadAttack(): Promise<AttackExport> {
    const [download] = await Promise.all([this.page.waitForEvent('download'), this.attackJson.click()]);
    expect(download.suggestedFilename()).toMatch(/\.json$/);
    return JSON.parse(await readFile((await download.path())!, 'utf8')) as AttackExport;
  }
}
