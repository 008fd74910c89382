/**
 * DP-SGD in the browser: a link sets a tiny run (300 MNIST training images, expected batch 30, so q = 0.1
 * and 10 noisy steps, epsilon read every 2 steps); Train streams epsilon rising beside the test accuracy,
 * stores the model with its privacy card, and the model joins the zoo's DP model on the accuracy-against-
 * epsilon chart and its table; the clipping view then writes out one gradient's norm before and after
 * clipping (at most C) and the noise drawn, with the model just trained, and the loss-threshold membership
 * test gives its AUC. Frees its tensors.
 */
import { expect, test } from './fixtures';
import { PrivacyDpPage } from './pages/PrivacyDpPage';

const LINK =
  '#v=2&lab=privacy&model=mnist-cnn&pv.v=1&pv.dn=300&pv.dbs=30&pv.dep=1&pv.devery=2&pv.dprobe=100&pv.dtest=200&pv.ddelta=0.001&pv.dclip=0.5';

test('a tiny DP-SGD run ticks epsilon up, lands on the accuracy-against-epsilon chart, and the clipping view shows its numbers', async ({
  page,
  consoleErrors,
}) => {
  const dp = new PrivacyDpPage(page);
  await dp.open(LINK);
  await dp.settled();
  await expect(dp.input('dn')).toHaveValue('300');
  await expect(dp.input('dbs')).toHaveValue('30');
  await expect(dp.plan).toContainText('q = 30 / 300 = 0.1, 10 steps an epoch, 10 in all');
  // before any run: the zoo's DP model is on the chart, mnist-cnn is the reference
  await expect(dp.chartRow('mnist-dp-sigma1.3')).toBeVisible();
  await expect(page.getByTestId('pv-dpchart-baseline')).toContainText('mnist-cnn');
  const zooRows = await dp.chartTable.locator('tbody tr[data-epsilon]').count();
  const tensorsBefore = await dp.tensorCount();

  // every (step, epsilon) the status shows, recorded as it changes: a short run can finish between two
  // polls, so reading the attribute twice could see step 10 both times
  await page.evaluate(() => {
    const seen: [number, number][] = [];
    (window as unknown as { dpTicks: [number, number][] }).dpTicks = seen;
    const record = () => {
      const el = document.querySelector('[data-testid="pv-dp-status"]');
      if (el) seen.push([Number(el.getAttribute('data-step')), Number(el.getAttribute('data-epsilon'))]);
    };
    // the status appears with the run: watch the whole page for it and for its attributes
    new MutationObserver(record).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-step', 'data-epsilon'],
    });
  });
  await dp.run.click();
  await expect(dp.jobProgress).toBeVisible();
  // epsilon ticks up as the steps are taken, the accuracy appears beside it
  await expect(dp.result).toBeVisible({ timeout: 90_000 });
  await expect(dp.status).toHaveAttribute('data-step', '10');
  const final = Number(await dp.status.getAttribute('data-epsilon'));
  const ticks = (await page.evaluate(() => (window as unknown as { dpTicks: [number, number][] }).dpTicks)).filter(
    ([step, eps]) => step > 0 && eps > 0,
  );
  const steps = [...new Set(ticks.map(([step]) => step))];
  expect(steps.length).toBeGreaterThanOrEqual(2);
  const early = ticks[0][1];
  expect(early).toBeGreaterThan(0);
  expect(final).toBeGreaterThan(early);
  // never down: epsilon only grows with the steps taken
  ticks.forEach(([, eps], i) => i === 0 || expect(eps).toBeGreaterThanOrEqual(ticks[i - 1][1]));
  const accuracy = Number(await dp.status.getAttribute('data-accuracy'));
  expect(accuracy).toBeGreaterThanOrEqual(0);
  expect(accuracy).toBeLessThanOrEqual(1);
  await expect(dp.curve).toHaveAttribute('data-points', '6');
  await expect(page.getByTestId('pv-dp-readings')).toHaveAttribute('data-rows', '6');
  await expect(dp.curve.locator('.recharts-line')).toHaveCount(2);
  const model = (await dp.result.getAttribute('data-model'))!;
  expect(model).toMatch(/^my-mnist-dp-sigma1\.1/);
  await expect(dp.result).toContainText('(rdp)');
  await expect(dp.result).toContainText('(prv)');
  await expect(dp.jobProgress).toHaveCount(0);
  await expect.poll(() => dp.tensorCount()).toBe(tensorsBefore);

  // the new model is on the chart, at the epsilon the run ended with (rdp)
  await expect(dp.chartTable.locator('tbody tr[data-epsilon]')).toHaveCount(zooRows + 1);
  await expect(dp.chart).toHaveAttribute('data-models', String(zooRows + 1));
  expect(Number(await dp.chartRow(model).getAttribute('data-epsilon'))).toBeCloseTo(final, 9);
  await expect(dp.chartRow(model)).toContainText('(yours)');

  // the clipping view, on the model just trained
  await page.getByTestId('pv-dp-choose').click();
  await dp.settled();
  await dp.input('dimg').fill('4');
  await dp.clipRun.click();
  await expect(dp.clipResult).toBeVisible({ timeout: 60_000 });
  await expect(dp.clipResult).toHaveAttribute('data-model', model);
  const norm = await dp.clipNumber('norm');
  const clipped = await dp.clipNumber('clipped');
  expect(norm).toBeGreaterThan(0);
  expect(clipped).toBeLessThanOrEqual(0.5 * (1 + 1e-4));
  expect(clipped).toBeCloseTo(Math.min(norm, 0.5), 3);
  expect(await dp.clipNumber('noise')).toBeGreaterThan(0);
  expect(await dp.clipNumber('update')).toBeGreaterThan(0);
  expect(Number(await dp.clipBars.getAttribute('data-bars'))).toBeGreaterThan(1);
  expect(Number(await page.getByTestId('pv-dp-clip-bars-data').getAttribute('data-rows'))).toBeGreaterThan(1);
  await expect(page.getByTestId('pv-dp-clip-sum-data')).toHaveAttribute('data-rows', '3');
  await expect(dp.clipBars.locator('.recharts-bar-rectangle').first()).toBeVisible();

  // the loss-threshold membership test on it: an AUC between 0 and 1
  await page.getByTestId('pv-dp-membership-run').click();
  const membership = page.getByTestId('pv-dp-membership-result');
  await expect(membership).toHaveAttribute('data-model', model, { timeout: 60_000 });
  const auc = Number(await membership.getAttribute('data-auc'));
  expect(auc).toBeGreaterThanOrEqual(0);
  expect(auc).toBeLessThanOrEqual(1);
  expect(consoleErrors).toEqual([]);
});
