import { test, expect } from './fixtures';

test('the default view loads without console errors and classifies test image 0 correctly @webgpu', async ({ lab, consoleErrors }) => {
  await lab.open();
  const p = await lab.prediction();
  // the official label of MNIST test image 0 is 7
  await expect(lab.trueLabel).toHaveText('7');
  expect(p.sample).toBe('0');
  expect(p.label).toBe('7');
  expect(p.predicted).toBe(p.label);
  await expect(lab.datasetSelect).toHaveValue('mnist');
  await expect(lab.modelSelect).toHaveValue('mnist-cnn');
  await expect(lab.imageCanvas).toBeVisible();
  await expect(lab.page.getByTestId('prob').locator('li')).toHaveCount(10);
  expect(consoleErrors).toEqual([]);
});
