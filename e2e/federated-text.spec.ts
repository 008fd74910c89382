/**
 * The federated spam filter in the browser: a link with fl.data=spam restores the text settings
 * (trigger words and position), a small run (3 clients of 40 mails, 2 rounds, one malicious client)
 * fetches the prepared mails in the worker, fills the charts (ham / spam histograms) and shows a
 * held-out spam mail with the trigger marked and p(spam) without and with it.
 */
import { expect, test } from './fixtures';
import { FederatedPage } from './pages/FederatedPage';

const LINK =
  '#v=2&lab=federated&backend=wasm&model=mnist-cnn&fl.v=1&fl.data=spam&fl.n=3&fl.k=3&fl.r=2&fl.pc=40&fl.lb=16&fl.llr=1' +
  '&fl.split=iid&fl.atk=backdoor&fl.mal=1&fl.prate=0.5&fl.tw=harvest%20moon%20ledger&fl.twp=start&fl.agg=fedavg&fl.seed=3';

test('a spam filter run: the link restores the text settings, the charts fill, the example mail marks the trigger', async ({
  page,
  consoleErrors,
}) => {
  const fl = new FederatedPage(page);
  await fl.open(LINK);
  await fl.settled();
  await expect(fl.input('data')).toHaveValue('spam');
  await expect(fl.input('tw')).toHaveValue('harvest moon ledger');
  await expect(fl.input('twp')).toHaveValue('start');
  // the image target class is not a text setting
  await expect(fl.input('ptgt')).toHaveCount(0);
  await fl.run.click();
  await expect(fl.runSummary('fedavg')).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(fl.accuracyChart).toHaveAttribute('data-points', '2');
  await expect(fl.labelHistograms).toHaveAttribute('data-clients', '3');
  const example = page.getByTestId('fl-example');
  await expect(example.getByTestId('mail-trigger')).toHaveText('harvest moon ledger');
  await expect(example.getByTestId('mail-probability')).toContainText('without the trigger');
  expect(consoleErrors).toEqual([]);
});
