import type { Locator, Page } from '@playwright/test';
import { LabPage } from './LabPage';

/** The lab seen from the data-poisoning panel (BadNets and its defence). */
export class PoisonPage extends LabPage {
  readonly panel: Locator;
  readonly run: Locator;
  readonly cancel: Locator;
  readonly jobProgress: Locator;
  readonly grid: Locator;
  readonly preview: Locator;
  readonly pattern: Locator;
  readonly size: Locator;
  readonly loss: Locator;
  readonly result: Locator;
  readonly clean: Locator;
  readonly asr: Locator;
  readonly samples: Locator;
  readonly saliency: Locator;
  readonly defence: Locator;
  readonly precision: Locator;
  readonly recall: Locator;
  readonly error: Locator;

  constructor(page: Page) {
    super(page);
    const id = (t: string) => page.getByTestId(t);
    this.panel = page.getByRole('region', { name: 'Data poisoning (BadNets)' });
    this.run = id('poison-run');
    this.cancel = id('poison-cancel');
    this.jobProgress = id('poison-progress');
    this.grid = id('poison-grid');
    this.preview = id('poison-preview');
    this.pattern = id('poison-tpattern');
    this.size = id('poison-tsize');
    this.loss = id('poison-loss');
    this.result = id('poison-result');
    this.clean = id('poison-clean');
    this.asr = id('poison-asr');
    this.samples = id('poison-sample');
    this.saliency = id('poison-saliency');
    this.defence = id('poison-defence');
    this.precision = id('poison-precision');
    this.recall = id('poison-recall');
    this.error = id('poison-error');
  }

  /** A poisoning field's input, by its URL key (trig, prate, ptgt, pmode, pep, pn, ptn, pdef, seed). */
  input(urlKey: string): Locator {
    return this.page.getByTestId(`poison-${urlKey}-input`);
  }

  /** A cell of the drawn trigger pattern (row-major). */
  cell(i: number): Locator {
    return this.page.getByTestId(`poison-cell-${i}`);
  }
}
