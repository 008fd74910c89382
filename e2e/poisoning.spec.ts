/** Data poisoning in the browser: the trigger drawn into the link, a run cancelled, a small poisoned run with its defence. */
import { expect, test } from './fixtures';
import { PoisonPage } from './pages/PoisonPage';

test('a drawn trigger, a cancelled run, then a small BadNets run with samples, saliency and spectral signatures', async ({
  page,
  consoleErrors,
}) => {
  const p = new PoisonPage(page);
  await p.open('#v=2&lab=federated&backend=webgl&model=mnist-cnn&fl.v=1&fl.trig=patch:3:br&fl.pep=3&fl.pn=3000&fl.ptn=200');
  await p.prediction();
  await expect(p.input('trig')).toHaveValue('patch:3:br');
  // drawing: a white 3x3 patch with its centre cell switched off becomes a drawn mask, written into the link
  await expect(p.grid.getByRole('button')).toHaveCount(9);
  await p.cell(4).click();
  await expect(p.pattern).toHaveValue('drawn');
  await expect.poll(async () => (await p.hashParams()).get('fl.trig')).toBe('patch:3:br:m111101111');
  // a longer run, cancelled while it trains
  await p.run.click();
  await expect(p.loss).toBeVisible({ timeout: 120_000 });
  await p.cancel.click();
  await expect(p.cancel).toBeHidden({ timeout: 60_000 });
  await expect(p.result).toBeHidden();
  await expect(p.error).toBeHidden();
  // a small run: 400 training images, 1 epoch, the spectral-signature defence
  await p.input('pn').fill('400');
  await p.input('pep').fill('1');
  await p.input('pdef').selectOption('spectral');
  await expect.poll(async () => (await p.hashParams()).get('fl.pdef')).toBe('spectral');
  await p.run.click();
  await expect(p.result).toBeVisible({ timeout: 150_000 });
  for (const v of [await p.clean.getAttribute('data-value'), await p.asr.getAttribute('data-value')]) {
    expect(Number(v)).toBeGreaterThanOrEqual(0);
    expect(Number(v)).toBeLessThanOrEqual(1);
  }
  await expect(p.samples).toHaveCount(8);
  await expect(p.saliency).toHaveCount(8);
  await expect(p.defence).toBeVisible();
  // spectral signatures remove floor(1.5 * 0.33 * n_c) images of each class: about half of 400
  const flagged = Number(await page.getByTestId('poison-flagged').textContent());
  expect(flagged).toBeGreaterThan(150);
  expect(flagged).toBeLessThan(200);
  await expect(page.getByTestId('poison-command')).toContainText('--trigger patch:3:br:m111101111 --rate 0.1');
  expect(consoleErrors).toEqual([]);
});
