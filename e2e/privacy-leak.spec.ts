/**
 * Gradient leakage in the browser: a link sets DLG with 3 L-BFGS steps; Reconstruct streams frames of
 * the reconstruction (one per step) beside the client's image, with MSE and PSNR, until the job ends.
 */
import { expect, test } from './fixtures';
import { LeakPage } from './pages/LeakPage';

const LINK = '#v=2&lab=privacy&backend=wasm&model=mnist-cnn&pv.v=1&pv.lm=dlg&pv.lt=3&pv.li=3';

test('a DLG reconstruction animates beside the original and ends with its MSE and PSNR', async ({ page, consoleErrors }) => {
  const leak = new LeakPage(page);
  await leak.open(LINK);
  await leak.settled();
  await expect(leak.input('lt')).toHaveValue('3');
  await expect(leak.input('lm')).toHaveValue('dlg');
  await leak.run.click();
  await expect(leak.reconstruction).toBeVisible({ timeout: 120_000 });
  // the frames arrive one by one: the step shown grows
  await expect.poll(async () => Number(await leak.metrics.getAttribute('data-step')), { timeout: 180_000 }).toBeGreaterThanOrEqual(2);
  await expect(leak.panel).toHaveAttribute('data-status', 'done', { timeout: 180_000 });
  await expect(leak.metrics).toHaveAttribute('data-step', '3');
  await expect(page.getByTestId('leak-psnr')).toContainText('dB');
  // what the attack works against: test image 3 is a 0, which the untrained network all but rules out
  await expect(leak.gradientStrength).toContainText(/true label probability 0\.00\d; the shared gradient's norm is \d/);
  expect(consoleErrors).toEqual([]);
});
