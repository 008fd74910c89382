/** Randomized smoothing in the browser: one image certified with its vote histogram, the link carries the settings. */
import { expect, test } from './fixtures';
import { CertifyPage } from './pages/CertifyPage';

test('one test image certified: its vote histogram over the n samples, pA_lower, radius and noisy samples', async ({
  page,
  consoleErrors,
}) => {
  const c = new CertifyPage(page);
  // small enough for SwiftShader: n0 = 20, n = 200 in batches of 100, no attack
  await c.open(
    '#v=2&lab=defences&backend=webgl&model=mnist-cnn&def.v=1&def.sigma=0.25&def.n0=20&def.n=200&def.ni=1&def.i0=0&def.b=100&def.as=0',
  );
  await c.prediction();
  await expect(c.input('n')).toHaveValue('200');
  await expect(c.input('ni')).toHaveValue('1');
  await c.run.click();
  await expect(c.result).toBeVisible({ timeout: 120_000 });
  // the histogram counts every one of the n estimation samples, one bar per class
  await expect(c.histogram).toHaveAttribute('data-total', '200');
  await expect(c.histogram).toHaveAttribute('data-bars', '10');
  await expect(c.strip).toHaveAttribute('data-count', '12');
  await expect(c.strip.locator('canvas')).toHaveCount(12);
  // test image 0 is a 7 that mnist-cnn gets right under sigma 0.25 noise most of the time
  const pA = Number(await c.pALower.textContent());
  const radius = Number(await c.radius.textContent());
  expect(pA).toBeGreaterThan(0);
  expect(pA).toBeLessThan(1);
  // the largest certificate at n = 200, alpha = 0.001: 0.25 * PhiInverse(0.001^(1/200)) = 0.4943
  expect(radius).toBeLessThanOrEqual(0.4944);
  if (pA >= 0.5) expect(radius).toBeGreaterThan(0);
  else await expect(c.smoothedPrediction).toHaveText('abstain');
  await expect(c.curve).toHaveAttribute('data-points', '5');
  await expect(c.table.locator('tbody tr')).toHaveCount(1);
  // a setting edited in the panel is written into the link
  await c.input('sigma').fill('0.5');
  await expect.poll(async () => (await c.hashParams()).get('def.sigma')).toBe('0.5');
  expect(consoleErrors).toEqual([]);
});
