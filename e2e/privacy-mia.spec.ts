/**
 * Membership inference in the browser: a link restores the settings; a tiny run (a pool of 60 MNIST
 * images, 3 shadows and the target, 2 epochs, on the WASM backend) trains in the worker and shows every
 * attack's ROC on log-log axes, the metrics table and the most exposed members, and frees its tensors.
 */
import { expect, test } from './fixtures';
import { PrivacyMiaPage } from './pages/PrivacyMiaPage';

const LINK = '#v=2&lab=privacy&backend=wasm&model=mnist-cnn&pv.v=1&pv.pool=60&pv.sh=3&pv.ep=2&pv.bs=20&pv.ho=20&pv.seed=3';

test('a tiny membership-inference run draws the ROC of every attack', async ({ page, consoleErrors }) => {
  const mia = new PrivacyMiaPage(page);
  await mia.open(LINK);
  await mia.settled();
  await expect(mia.input('pool')).toHaveValue('60');
  await expect(mia.input('sh')).toHaveValue('3');
  await expect(mia.input('ep')).toHaveValue('2');
  const tensorsBefore = await mia.tensorCount();
  await mia.run.click();
  await expect(mia.jobProgress).toBeVisible();
  await expect(mia.results).toBeVisible({ timeout: 150_000 });
  await expect(mia.jobProgress).toHaveCount(0);
  await expect.poll(() => mia.tensorCount()).toBe(tensorsBefore);
  // five attacks: five curves (and the chance line) on log axes, five rows with an AUC in [0, 1]
  await expect(mia.roc).toHaveAttribute('data-attacks', '5');
  expect(Number(await page.getByTestId('pv-mia-roc-data').getAttribute('data-rows'))).toBeGreaterThanOrEqual(5 * 2);
  await expect(mia.roc.locator('.recharts-line')).toHaveCount(6);
  await expect(mia.roc.locator('.recharts-line path').first()).toHaveAttribute('d', /M/);
  for (const a of ['loss', 'shadow', 'lira-online', 'lira-offline', 'lira-online-fixed']) {
    const v = Number(await mia.auc(a).textContent());
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  await expect(mia.exposed.locator('canvas')).toHaveCount(12);
  await expect(mia.summary).toContainText('Target:');
  expect(consoleErrors).toEqual([]);
});

test('with DP-SGD every model trains privately and the target shows the epsilon it spent', async ({ page, consoleErrors }) => {
  const mia = new PrivacyMiaPage(page);
  await mia.open(`${LINK}&pv.mdpz=1.1&pv.mdpc=1`);
  await mia.settled();
  await expect(mia.input('mdpz')).toHaveValue('1.1');
  await expect(mia.input('mdpc')).toHaveValue('1');
  await mia.run.click();
  await expect(mia.results).toBeVisible({ timeout: 150_000 });
  const dp = page.getByTestId('pv-mia-dp');
  await expect(dp).toContainText('σ = 1.1, C = 1');
  // epsilon is the accountant's: a positive finite number
  const eps = Number(/ε = ([0-9.]+) \(RDP\)/.exec((await dp.textContent()) ?? '')?.[1]);
  expect(eps).toBeGreaterThan(0);
  expect(Number.isFinite(eps)).toBe(true);
  expect(consoleErrors).toEqual([]);
});
