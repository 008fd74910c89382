/** The feature-squeezing detector in the browser: threshold, ROC with its AUC and the detection rate under the studio's attack; settings in the link. */
import { expect, test } from './fixtures';
import { DetectorPage } from './pages/DetectorPage';

test('the detector measures FGSM on MNIST: a ROC with its AUC, the detection rate, and its settings in the link', async ({
  page,
  consoleErrors,
}) => {
  const d = new DetectorPage(page);
  await d.open('#v=2&lab=defences&backend=webgl&model=mnist-cnn&atk.v=2&atk.name=fgsm&atk.eps=0.3&def.v=1&def.dn=20&def.dclean=100');
  await d.prediction();
  await expect(d.input('dn')).toHaveValue('20');
  await expect(d.input('sq')).toHaveValue('bit-depth:1,median:2');
  // a squeezer that is not deterministic is refused in place, and the link keeps the valid value
  await d.input('sq').fill('gaussian:0.3');
  await expect(d.panel.getByText('a squeezer must be deterministic')).toBeVisible();
  await d.input('sq').fill('bit-depth:1,median:2');
  await d.run.click();
  await expect(d.result).toBeVisible({ timeout: 180_000 });
  // FGSM at eps 0.3 fools mnist-cnn on nearly every image, and squeezing sees most of them (AUC 0.99 on 500 images in models/DEFENCES.md)
  const auc = Number(await d.auc.textContent());
  expect(auc).toBeGreaterThan(0.8);
  expect(auc).toBeLessThanOrEqual(1);
  const rate = Number((await d.detectionRate.textContent())!.replace('%', ''));
  expect(rate).toBeGreaterThan(50);
  expect(Number(await d.roc.getAttribute('data-points'))).toBeGreaterThan(2);
  await expect(d.scores.locator('.recharts-bar-rectangle').first()).toBeVisible();
  await d.input('fpr').fill('0.1');
  await expect.poll(async () => (await d.hashParams()).get('def.fpr')).toBe('0.1');
  expect(consoleErrors).toEqual([]);
});
