/**
 * The federated simulation in the browser: a link restores its settings; a 5-client, 3-round run with
 * one malicious client fills the charts (accuracy and ASR per round, label histograms, update norms,
 * the cosine heat map, the aggregator's weights); a comparison of two aggregators can be cancelled.
 */
import { expect, test } from './fixtures';
import { FederatedPage } from './pages/FederatedPage';

// small: 5 clients of 60 images, all in every round, 3 rounds, batch 20. On the WASM backend: local
// training of many small batches compiles shaders for every new shape on WebGL's SwiftShader (a round
// took over 100 s there), while WASM runs the whole test's simulation in about 20 s.
const LINK =
  '#v=2&lab=federated&backend=wasm&model=mnist-cnn&fl.v=1&fl.n=5&fl.k=5&fl.r=3&fl.pc=60&fl.lb=20&fl.llr=0.1' +
  '&fl.split=dirichlet:0.5&fl.atk=replacement&fl.mal=1&fl.malc=3&fl.boost=5&fl.ptgt=2&fl.agg=foolsgold&fl.kappa=2&fl.seed=7';

test('a link restores the simulation settings; a run with one malicious client fills the charts; a comparison is cancelled', async ({
  page,
  consoleErrors,
}) => {
  const fl = new FederatedPage(page);
  await fl.open(LINK);
  await fl.settled();
  // the link's fl.* keys show in the form (and the aggregator's own parameter only)
  await expect(fl.input('n')).toHaveValue('5');
  await expect(fl.input('k')).toHaveValue('5');
  await expect(fl.input('r')).toHaveValue('3');
  await expect(fl.input('pc')).toHaveValue('60');
  await expect(fl.input('lb')).toHaveValue('20');
  await expect(fl.input('llr')).toHaveValue('0.1');
  await expect(fl.input('split')).toHaveValue('dirichlet:0.5');
  await expect(fl.input('atk')).toHaveValue('replacement');
  await expect(fl.input('mal')).toHaveValue('1');
  await expect(fl.input('malc')).toHaveValue('3');
  await expect(fl.input('boost')).toHaveValue('5');
  await expect(fl.input('ptgt')).toHaveValue('2');
  await expect(fl.input('seed')).toHaveValue('7');
  await expect(fl.input('agg')).toHaveValue('foolsgold');
  await expect(fl.input('kappa')).toHaveValue('2');
  await expect(fl.input('f')).toHaveCount(0);
  await expect(fl.input('clip')).toHaveCount(0);
  // switching the rule shows its parameters instead, and writes it into the link
  await fl.input('agg').selectOption('norm-clip');
  await expect(fl.input('clip')).toBeVisible();
  await expect(fl.input('kappa')).toHaveCount(0);
  await expect.poll(async () => (await fl.hashParams()).get('fl.agg')).toBe('norm-clip');
  await fl.input('agg').selectOption('fedavg');

  const tensorsBefore = await fl.tensorCount();
  await fl.run.click();
  await expect(fl.jobProgress).toBeVisible();
  await expect(fl.runSummary('fedavg')).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(fl.jobProgress).toHaveCount(0);
  // the run's network and tensors are freed in the worker
  await expect.poll(() => fl.tensorCount()).toBe(tensorsBefore);
  // one point per round; the split: 5 clients, client 3 (the link's choice) malicious and starred
  await expect(fl.accuracyChart).toHaveAttribute('data-points', '3');
  await expect(fl.accuracyChart.locator('.recharts-line')).toHaveCount(2); // accuracy and ASR
  await expect(page.getByTestId('fl-accuracy-data')).toHaveAttribute('data-rows', '3');
  await expect(page.getByTestId('fl-accuracy-data').locator('th')).toHaveCount(3); // round, accuracy, ASR
  await expect(fl.labelHistograms).toHaveAttribute('data-clients', '5');
  await expect(fl.labelHistograms).toHaveAttribute('data-malicious', '1');
  await expect(page.getByTestId('fl-label-data')).toHaveAttribute('data-rows', '5');
  await expect(fl.labelHistograms.getByText('3*')).toBeVisible();
  await expect(fl.labelHistograms.getByText('0*')).toHaveCount(0);
  // the latest round: a bar per client for the norms and FedAvg's weights, a 5 x 5 heat map
  await expect(fl.roundShown).toHaveText('3 of 3');
  await expect(fl.normsChart).toHaveAttribute('data-bars', '5');
  await expect(page.getByTestId('fl-norms-chart-data')).toHaveAttribute('data-rows', '5');
  await expect(fl.normsChart.locator('.recharts-bar-rectangle')).toHaveCount(5);
  await expect(fl.weightsChart).toHaveAttribute('data-bars', '5');
  await expect(fl.weightsChart.locator('.recharts-bar-rectangle')).toHaveCount(5);
  await expect(fl.heatmap).toHaveAttribute('data-clients', '5');
  await expect(page.getByTestId('fl-cosine-data')).toHaveAttribute('data-rows', '5');
  const painted = await fl.heatmap.locator('canvas').evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext('2d')!;
    const px = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data);
    const cell = (c.width - 8) / 5;
    // the diagonal is cosine 1 (full red); the malicious client's edge mark (client 3) is red too, client 0's is not
    return {
      diagonal: px(8 + cell / 2, 8 + cell / 2),
      mark: px(8 + 3 * cell + cell / 2, 2),
      honest: px(8 + cell / 2, 2),
      width: c.width,
    };
  });
  expect(painted.diagonal).toEqual([255, 0, 0, 255]);
  expect(painted.mark.slice(0, 3)).toEqual([200, 55, 45]);
  expect(painted.honest.slice(0, 3)).not.toEqual([200, 55, 45]);
  // the summary shows the final round's figures, which are fractions
  const clean = await page.getByTestId('fl-clean-fedavg').textContent();
  expect(Number(clean?.replace('%', ''))).toBeGreaterThan(0);
  await expect(page.getByTestId('fl-asr-fedavg')).toBeVisible();
  // an earlier round from the slider
  await fl.roundSlider.fill('1');
  await expect(fl.roundShown).toHaveText('1 of 3');
  await expect(fl.heatmap).toHaveAttribute('data-round', '1');

  // two aggregators on the same clients, cancelled during the first: the second never starts
  await fl.chooseCompared(['fedavg', 'median']);
  await fl.compareRun.click();
  await expect(fl.runSummary('fedavg')).toHaveAttribute('data-status', 'running');
  await expect(fl.runSummary('median')).toHaveAttribute('data-status', 'queued');
  await expect
    .poll(async () => Number(await fl.runSummary('fedavg').getAttribute('data-rounds')), { timeout: 90_000 })
    .toBeGreaterThanOrEqual(1);
  await fl.cancel.click();
  await expect(fl.runSummary('fedavg')).toHaveAttribute('data-status', 'cancelled');
  await expect(fl.runSummary('median')).toHaveAttribute('data-status', 'cancelled');
  await expect(fl.jobProgress).toHaveCount(0);
  await expect(fl.run).toBeEnabled();
  expect(consoleErrors).toEqual([]);
});
