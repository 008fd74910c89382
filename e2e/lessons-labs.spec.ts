/**
 * The federated and privacy labs' lessons in the browser. "Robust aggregation needs the updates; secure
 * aggregation hides them" from its link to its last step (a 5-client, 5-round MNIST federation on WASM):
 * FedAvg, the median, then secure aggregation (the median refused, FedAvg run under it), each task
 * checked from the runs the panel published, each answer the ASR the lab computed, the three runs on
 * one chart. Then the privacy lessons open on the state their links describe, with the DP card's live
 * numbers.
 */
import { expect, test } from './fixtures';
import { FederatedPage } from './pages/FederatedPage';
import { LessonPage } from './pages/LessonPage';

/** "99.8%" -> "99.8" (the summary line's ASR, as a student would type it). */
const number = async (text: Promise<string | null>): Promise<string> => (await text)!.replace('%', '').trim();

test('the secure vs robust aggregation lesson from its link to its end, checked from the runs', async ({ page, consoleErrors }) => {
  test.setTimeout(300_000);
  const l = new LessonPage(page);
  const fl = new FederatedPage(page);
  await l.open('#lesson=secagg-vs-robust');
  await expect(l.panel).toHaveAttribute('data-lesson', 'secagg-vs-robust');
  await l.step(0);
  await l.settled();
  // the lesson's link opened the small federation, its settings locked
  await expect(fl.input('n')).toHaveValue('5');
  await expect(fl.input('n')).toBeDisabled();
  await expect(fl.input('atk')).toHaveValue('replacement');
  await expect(fl.input('agg')).toHaveValue('fedavg');
  await expect(fl.input('agg')).toBeEnabled();
  await expect(fl.input('dpz')).toHaveCount(0);
  await l.next.click();

  // FedAvg: not done before the run; done from the finished run; the answer is its final ASR
  await l.step(1);
  await expect(l.task).toHaveAttribute('data-done', 'false');
  await expect(page.getByTestId('lesson-question-pending')).toBeVisible();
  await fl.run.click();
  await expect(fl.runSummary('fedavg')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(l.task).toHaveAttribute('data-done', 'true');
  const fedavgAsr = await number(page.getByTestId('fl-asr-fedavg').textContent());
  await l.answerWith(String(Number(fedavgAsr) + 10));
  await expect(l.verdict).toHaveAttribute('data-right', 'false');
  await l.answerWith(fedavgAsr);
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await l.next.click();

  // the median, kept beside FedAvg on the chart
  await l.step(2);
  await expect(fl.input('agg')).toHaveValue('median');
  await expect(l.task).toHaveAttribute('data-done', 'false');
  await fl.keep.check();
  await fl.run.click();
  await expect(fl.runSummary('median')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(l.task).toHaveAttribute('data-done', 'true');
  await l.answerWith(await number(page.getByTestId('fl-asr-median').textContent()));
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await l.next.click();

  // secure aggregation on with the median: the lab refuses; FedAvg runs under it
  await l.step(3);
  await expect(fl.input('sa')).toBeChecked();
  await expect(fl.secaggConflict).toContainText('needs the individual updates');
  await expect(l.task).toHaveAttribute('data-done', 'false');
  await expect(l.task).toContainText('choose FedAvg');
  await fl.run.click();
  await expect(fl.error).toContainText('individual updates');
  await fl.input('agg').selectOption('fedavg');
  await fl.run.click();
  const secure = fl.runSummary('fedavg').nth(1);
  await expect(secure).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(secure).toContainText('secure agg.');
  await expect(l.task).toHaveAttribute('data-done', 'true');
  await l.answerWith(await number(secure.getByTestId('fl-asr-fedavg').textContent()));
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await l.next.click();

  // the three runs on one chart; the table and the choice are computed from them
  await l.step(4);
  await expect(fl.accuracyChart).toHaveAttribute('data-runs', '3');
  await expect(page.getByTestId('lesson-number')).toHaveCount(3);
  await expect(page.getByTestId('lesson-number').first()).toContainText(`ASR ${fedavgAsr}%`);
  const asrs = await Promise.all(
    [fl.runSummary('fedavg').nth(0), fl.runSummary('median'), secure].map((s) =>
      number(s.locator('[data-testid^="fl-asr-"]').textContent()),
    ),
  );
  const lowest = asrs.indexOf(String(Math.min(...asrs.map(Number))));
  const choice = ['FedAvg', 'the robust rule', 'FedAvg with secure aggregation'][lowest];
  await page.getByTestId(`lesson-choice-${choice}`).click();
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await expect(page.getByTestId('lesson-end')).toContainText('Lesson complete');
  expect(consoleErrors).toEqual([]);
});

test("the privacy lessons open on their links' state; the DP card's numbers are computed live", async ({ page, consoleErrors }) => {
  const l = new LessonPage(page);
  await l.open('#lesson=dp-sgd-costs');
  await expect(l.panel).toHaveAttribute('data-lesson', 'dp-sgd-costs');
  await l.settled();
  await expect(page.getByTestId('model-select')).toHaveValue('mnist-dp-sigma1.3');
  await expect(page.getByTestId('lesson-numbers')).toContainText('3,750');
  await l.answerWith('100');
  await expect(l.verdict).toHaveAttribute('data-right', 'false');
  await l.answerWith('240');
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await l.next.click();
  await l.step(1);
  // the card's three accountants and the RDP accountant at five training lengths
  await expect(page.getByTestId('lesson-number')).toHaveCount(8);
  await page.getByTestId('lesson-choice-prv').click();
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  // the leakage lesson opens iDLG on test image 3 with its index locked
  await l.open('#lesson=gradient-photo&step=1');
  await l.step(1);
  await expect(page.getByTestId('pv-lm-input')).toHaveValue('idlg');
  await expect(page.getByTestId('pv-li-input')).toHaveValue('3');
  await expect(page.getByTestId('pv-li-input')).toBeDisabled();
  expect(consoleErrors).toEqual([]);
});
