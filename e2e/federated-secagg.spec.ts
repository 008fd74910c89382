/**
 * Secure aggregation in the federated simulation (the privacy lab's protocol): a robust rule cannot
 * run with it (the message says why); a median run, then FedAvg with secure aggregation and one
 * dropout a round, kept on one chart; the server's view shows masked vectors, the recovered average,
 * the dropout and the bytes per client.
 */
import { expect, test } from './fixtures';
import { FederatedPage } from './pages/FederatedPage';

// small, on WASM as federated.spec.ts: 5 clients of 60 images, all in every round, 3 rounds
const LINK =
  '#v=2&lab=federated&backend=wasm&model=mnist-cnn&fl.v=1&fl.n=5&fl.k=5&fl.r=3&fl.pc=60&fl.lb=20&fl.llr=0.1' +
  '&fl.atk=backdoor&fl.mal=1&fl.prate=0.5&fl.ptgt=2&fl.agg=median&fl.sa=1&fl.sadrop=1&fl.seed=7';

test('secure aggregation: robust rules refused, a median run and a secure FedAvg run with one dropout on one chart', async ({
  page,
  consoleErrors,
}) => {
  // two runs of 3 rounds on a shared 2-core machine, one of them with the protocol's key agreement in the worker
  test.setTimeout(480_000);
  const fl = new FederatedPage(page);
  await fl.open(LINK);
  await fl.settled();
  await expect(fl.input('sa')).toBeChecked();
  await expect(fl.input('sadrop')).toHaveValue('1');
  // median with secure aggregation: the lesson, and the run refuses with the reason
  await expect(fl.secaggConflict).toContainText('needs the individual updates');
  await fl.run.click();
  await expect(fl.error).toContainText('individual updates');

  // median without secure aggregation first
  await fl.input('sa').uncheck();
  await expect.poll(async () => (await fl.hashParams()).get('fl.sa')).toBe(null);
  await fl.run.click();
  await expect(fl.runSummary('median')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(fl.secaggView).toHaveCount(0);

  // then FedAvg with secure aggregation and one dropout a round, kept beside it
  await fl.keep.check();
  await fl.input('agg').selectOption('fedavg');
  await fl.input('sa').check();
  await expect(fl.input('sadrop')).toHaveValue('1');
  await fl.run.click();
  await expect(fl.runSummary('fedavg')).toHaveAttribute('data-status', 'done', { timeout: 300_000 });
  await expect(fl.runSummary('median')).toHaveAttribute('data-status', 'done');
  await expect(fl.runSummary('fedavg')).toContainText('secure agg.');
  await expect(fl.runSummary('fedavg')).toContainText('0 aborted round(s), 3 dropout(s)');
  // both runs on one chart: accuracy and ASR of each
  await expect(fl.accuracyChart).toHaveAttribute('data-runs', '2');
  await expect(fl.accuracyChart).toHaveAttribute('data-points', '6');
  await expect(fl.accuracyChart.locator('.recharts-line')).toHaveCount(4);

  // the server's view of the last round: masked strips, the recovered average, the dropout, the bytes
  await expect(fl.secaggView).toBeVisible();
  await expect(fl.secaggView).toHaveAttribute('data-aborted', 'false');
  const strips = fl.secaggView.locator('canvas[data-testid^="sa-masked-"]');
  expect(await strips.count()).toBeGreaterThanOrEqual(4 - 1);
  await expect(page.getByTestId('sa-dropouts')).toContainText(/client \d (after|before) sending its masked input/);
  await expect(page.getByTestId('sa-bytes')).toContainText('for the unmasked float32 update');
  // a masked strip is noise: its grey levels spread over the range (the recovered average is not grey)
  const spread = await strips.first().evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, 1).data;
    const g: number[] = [];
    for (let j = 0; j < c.width; j++) g.push(d[4 * j]);
    const mean = g.reduce((a, b) => a + b, 0) / g.length;
    return { width: c.width, mean, sd: Math.sqrt(g.reduce((a, b) => a + (b - mean) ** 2, 0) / g.length) };
  });
  expect(spread.width).toBe(256);
  // uniform on 0..255: mean 127.5, sd 73.9
  expect(spread.mean).toBeGreaterThan(100);
  expect(spread.mean).toBeLessThan(155);
  expect(spread.sd).toBeGreaterThan(60);
  expect(consoleErrors).toEqual([]);
});
