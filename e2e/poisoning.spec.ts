/** Data poisoning in the browser: the trigger drawn into the link, a small poisoned run with its defence (cancel: poison-job.test.ts). */
import { expect, test } from './fixtures';
import { PoisonPage } from './pages/PoisonPage';

test('a drawn trigger, then a small BadNets run with samples, saliency and spectral signatures', async ({ page, consoleErrors }) => {
  test.setTimeout(600_000);
  const p = new PoisonPage(page);
  await p.open('#v=2&lab=federated&backend=webgl&model=mnist-cnn&fl.v=1&fl.trig=patch:3:br&fl.pep=1&fl.pn=300&fl.ptn=200&fl.pdef=spectral');
  await p.prediction();
  await expect(p.input('trig')).toHaveValue('patch:3:br');
  // drawing: a white 3x3 patch with its centre cell switched off becomes a drawn mask, written into the link
  await expect(p.grid.getByRole('button')).toHaveCount(9);
  await p.cell(4).click();
  await expect(p.pattern).toHaveValue('drawn');
  await expect.poll(async () => (await p.hashParams()).get('fl.trig')).toBe('patch:3:br:m111101111');
  // a small run (300 training images, 1 epoch) with the spectral-signature defence, set by the link
  await expect(p.input('pdef')).toHaveValue('spectral');
  await p.run.click();
  await expect(p.result).toBeVisible({ timeout: 540_000 });
  for (const v of [await p.clean.getAttribute('data-value'), await p.asr.getAttribute('data-value')]) {
    expect(Number(v)).toBeGreaterThanOrEqual(0);
    expect(Number(v)).toBeLessThanOrEqual(1);
  }
  await expect(p.loss).toBeVisible();
  await expect(p.samples).toHaveCount(8);
  await expect(p.saliency).toHaveCount(8);
  await expect(p.defence).toBeVisible();
  // spectral signatures remove floor(1.5 * 0.33 * n_c) images of each class: about half of 300
  const flagged = Number(await page.getByTestId('poison-flagged').textContent());
  expect(flagged).toBeGreaterThan(130);
  expect(flagged).toBeLessThan(150);
  await expect(page.getByTestId('poison-command')).toContainText('--trigger patch:3:br:m111101111 --rate 0.1');
  expect(consoleErrors).toEqual([]);
});
