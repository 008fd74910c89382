/**
 * The defended model in the studio: a bit-depth reduction in front of mnist-cnn holds against the naive
 * PGD (TensorFlow.js's gradient through rounding is zero) and falls to BPDA; the link reproduces it.
 */
import { jpegRoundTrip } from '../src/core/defences/jpeg';
import { DefencePage } from './pages/DefencePage';
import { expect, test } from './fixtures';

test('naive PGD is stopped by bit-depth reduction, BPDA breaks it; the link carries the defence', async ({ lab, page, consoleErrors }) => {
  const defence = new DefencePage(page);
  await lab.open('#v=1&backend=webgl&attack=pgd&eps=0.3&steps=20&step=0.03&rs=0');
  const clean = await lab.prediction();
  expect(clean.predicted).toBe(clean.label);
  // a bad spec is refused with its message, and nothing changes
  await defence.transforms.fill('blur:3');
  await expect(defence.error).toContainText('unknown transform "blur"');
  await defence.setTransforms('bit-depth:3');
  await expect.poll(async () => (await lab.hashParams()).get('def.t')).toBe('bit-depth:3');

  await defence.mode('none');
  expect(await lab.runAttack()).toBe('done');
  await expect(defence.view).toHaveAttribute('data-spec', 'bit-depth:3');
  await expect(defence.view).toHaveAttribute('data-adaptive', 'none');
  await expect(defence.note).toContainText('naive');
  // zero gradient: the image does not move and the defended model still gets it right
  expect(await defence.fooled()).toBe(false);
  await expect(lab.page.getByTestId('adv-predicted')).toHaveAttribute('data-class', clean.label);
  // the defended image has at most 8 grey levels
  const px = await lab.canvasPixels(defence.canvas);
  const levels = new Set<number>();
  for (let i = 0; i < px.length; i += 4) levels.add(px[i]);
  expect(levels.size).toBeLessThanOrEqual(8);
  await page.screenshot({ path: 'test-results/defence-naive.png', fullPage: true });

  await defence.mode('bpda');
  await expect.poll(async () => (await lab.hashParams()).get('def.adapt')).toBe('bpda');
  expect(await lab.runAttack()).toBe('done');
  await expect(defence.view).toHaveAttribute('data-adaptive', 'bpda');
  expect(await defence.fooled()).toBe(true);
  await expect(lab.page.getByTestId('adv-predicted')).not.toHaveAttribute('data-class', clean.label);
  await page.screenshot({ path: 'test-results/defence-bpda.png', fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await defence.panel.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/defence-bpda-phone.png', fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });

  // the link reproduces the defended experiment
  const hash = new URL(page.url()).hash;
  await lab.open(hash);
  await lab.prediction();
  await expect(defence.transforms).toHaveValue('bit-depth:3');
  await expect(page.getByTestId('defence-adaptive-bpda')).toBeChecked();
  expect(consoleErrors).toEqual([]);
});

test('JPEG in the browser decodes exactly as in Node (one codec); BPDA attacks through it', async ({ lab, page, consoleErrors }) => {
  const defence = new DefencePage(page);
  await lab.open('#v=1&backend=webgl&attack=pgd&eps=0.2&steps=5&step=0.05&rs=0');
  await lab.prediction();
  await defence.setTransforms('jpeg:75');
  await defence.mode('bpda');
  expect(await lab.runAttack()).toBe('done');
  await expect(defence.view).toHaveAttribute('data-spec', 'jpeg:75');
  const exported = await lab.downloadAttack();
  const [h, w, c] = exported.shape.slice(-3);
  const expected = jpegRoundTrip(Float32Array.from(exported.adversarial), h, w, c, 75);
  const px = await lab.canvasPixels(defence.canvas);
  const shown = Array.from({ length: h * w }, (_, i) => px[i * 4]);
  expect(shown).toEqual(Array.from(expected, (v) => Math.round(v * 255)));
  expect(consoleErrors).toEqual([]);
});
