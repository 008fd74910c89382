import { expect, type Locator, type Page } from '@playwright/test';

/** The teaching tools as a test sees them: the lesson panel, the classroom link, present mode, the notebook. */
export class LessonPage {
  readonly page: Page;
  readonly panel: Locator;
  readonly stepTitle: Locator;
  readonly task: Locator;
  readonly answer: Locator;
  readonly check: Locator;
  readonly verdict: Locator;
  readonly next: Locator;
  readonly attackRun: Locator;
  readonly attackStatus: Locator;
  readonly eps: Locator;

  constructor(page: Page) {
    this.page = page;
    this.panel = page.getByTestId('lesson-panel');
    this.stepTitle = page.getByTestId('lesson-step-title');
    this.task = page.getByTestId('lesson-task');
    this.answer = page.getByTestId('lesson-answer-input');
    this.check = page.getByTestId('lesson-answer-check');
    this.verdict = page.getByTestId('lesson-verdict');
    this.next = page.getByTestId('lesson-next');
    this.attackRun = page.getByTestId('attack-run');
    this.attackStatus = page.getByTestId('attack-status');
    this.eps = page.getByTestId('attack-eps');
  }

  async open(hash: string): Promise<void> {
    await this.page.goto(`/${hash}`);
  }

  async settled(): Promise<void> {
    await expect(this.page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
  }

  async step(n: number): Promise<void> {
    await expect(this.panel).toHaveAttribute('data-step', String(n));
  }

  async runAttack(): Promise<void> {
    await this.settled();
    await this.attackRun.click();
    await expect(this.attackStatus).toHaveAttribute('data-status', 'done');
  }

  async answerWith(text: string): Promise<void> {
    await this.answer.fill(text);
    await this.check.click();
  }
}
