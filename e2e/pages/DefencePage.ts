import { expect, type Locator, type Page } from '@playwright/test';

/** The defence control (src/labs/defences/ui/DefencePanel.tsx) and what the studio shows of a defended model. */
export class DefencePage {
  readonly page: Page;
  readonly panel: Locator;
  readonly transforms: Locator;
  readonly error: Locator;
  readonly eotSamples: Locator;
  /** The studio's figure of what the defence made of the adversarial image, and its note. */
  readonly view: Locator;
  readonly canvas: Locator;
  readonly note: Locator;
  readonly verdict: Locator;

  constructor(page: Page) {
    this.page = page;
    const id = (t: string) => page.getByTestId(t);
    this.panel = id('defence-panel');
    this.transforms = id('defence-transforms');
    this.error = id('defence-error');
    this.eotSamples = id('defence-eot-samples');
    this.view = id('defence-view');
    this.canvas = id('defended-canvas');
    this.note = id('defence-note');
    this.verdict = id('adv-verdict');
  }

  /** Type a defence spec (the panel checks it as it is typed). */
  async setTransforms(spec: string): Promise<void> {
    await this.transforms.fill(spec);
    await this.transforms.blur();
  }

  async mode(m: 'none' | 'bpda' | 'eot'): Promise<void> {
    await this.page.getByTestId(`defence-adaptive-${m}`).check();
    await expect(this.page.getByTestId(`defence-adaptive-${m}`)).toBeChecked();
  }

  /** Whether the studio's last attack fooled the (defended) model. */
  async fooled(): Promise<boolean> {
    return (await this.verdict.getAttribute('data-success')) === 'true';
  }
}
