/**
 * Attack studio and batch robustness check. Workloads are tiny (SwiftShader on a small machine):
 * one image, a few steps; the batch check runs on 20 images.
 */
import { readFile } from 'node:fs/promises';
import type { BrowserContext } from '@playwright/test';
import { expect, test } from './fixtures';

/** Serve mnist-cnn a second time under another id (a second zoo model of the same data set). */
async function addZooCopy(context: BrowserContext, id: string): Promise<void> {
  await context.route('**/models/index.json', async (route) => {
    const res = await route.fetch();
    const zoo = (await res.json()) as { models: { id: string }[] };
    const real = zoo.models.find((m) => m.id === 'mnist-cnn');
    if (real) zoo.models.push({ ...real, id });
    await route.fulfill({ response: res, json: zoo });
  });
  await context.route(`**/models/${id}/*`, async (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop()!;
    await route.fulfill({ response: await route.fetch({ url: new URL(`/models/mnist-cnn/${file}`, route.request().url()).href }) });
  });
}

test('a first visit teaches: the default attack fools the starter image, and the next move is the robust model', async ({ lab }) => {
  await lab.open();
  await lab.prediction();
  await expect(lab.modelSelect).toHaveValue('mnist-cnn');
  expect(await lab.runAttack()).toBe('done');
  await expect(lab.page.getByTestId('adv-verdict')).toHaveAttribute('data-success', 'true');
  await expect(lab.page.getByTestId('adv-verdict')).toHaveText('fooled');
  // the catalogue's robust model of MNIST, with its card's figure at this budget beside mnist-cnn's
  const next = lab.page.getByTestId('attack-next-move');
  await expect(next).toHaveAttribute('data-next', 'robust-model');
  await expect(next).toHaveAttribute('data-model', 'mnist-cnn-robust');
  await expect(next).toContainText('97.6% of 10,000 test images resisting PGD at ε 0.1 (mnist-cnn: 55.3%)');
  await lab.page.getByTestId('attack-next-model').click();
  await expect(lab.modelSelect).toHaveValue('mnist-cnn-robust');
  await lab.prediction();
  expect(await lab.runAttack()).toBe('done');
  await expect(lab.page.getByTestId('adv-verdict')).toHaveText('robust here');
  await expect(next).toHaveAttribute('data-next', 'bigger-budget');
});

test('when no model records robustness at the budget, the next move is a smaller budget or the batch check', async ({ lab }) => {
  // the zoo's cards record eps 0.1 and 0.3: nothing speaks for 0.5
  await lab.open('#v=2&i=4&atk.eps=0.5&atk.steps=10&atk.step=0.05');
  await lab.prediction();
  expect(await lab.runAttack()).toBe('done');
  await expect(lab.page.getByTestId('adv-verdict')).toHaveAttribute('data-success', 'true');
  await expect(lab.page.getByTestId('attack-next-move')).toHaveAttribute('data-next', 'smaller-budget');
  await expect(lab.page.getByTestId('attack-next-model')).toHaveCount(0);
});

test('"More settings" folds the rest of the studio: keyboard, remembered in the tab, opened by a link that sets a folded setting', async ({
  lab,
  page,
  context,
}) => {
  await lab.open('#v=2&atk.eps=0.2');
  await lab.prediction();
  // the essentials are in view; the rest is folded (a changed essential does not open it)
  for (const t of ['attack-name', 'attack-norm', 'attack-eps', 'attack-steps', 'attack-run', 'attack-step'])
    await expect(page.getByTestId(t)).toBeVisible();
  await expect(lab.moreSettings).toHaveAttribute('aria-expanded', 'false');
  for (const t of ['attack-step-size', 'attack-restarts', 'attack-seed', 'attack-random-start', 'attack-target', 'attack-compare'])
    await expect(page.getByTestId(t)).toBeHidden();
  // every control keeps its explanation
  await expect(page.locator('label[for="attack-step-size"]')).toHaveAttribute('title', /size of one step/);
  // the keyboard opens it
  await lab.moreSettings.focus();
  await page.keyboard.press('Enter');
  await expect(lab.moreSettings).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('attack-seed')).toBeVisible();
  for (const t of ['attack-restarts', 'attack-target', 'attack-compare'])
    await expect(page.locator(`label[for="${t}"]`)).toHaveAttribute('title', /.{10}/);
  await expect(page.getByTestId('attack-random-start').locator('xpath=..')).toHaveAttribute('title', /random point/);
  await page.getByTestId('attack-seed').fill('7');
  await expect(page.getByTestId('attack-more-changed')).toHaveText(/1 changed: seed/);
  await page.getByTestId('attack-seed').fill('0');
  await expect(page.getByTestId('attack-more-changed')).toHaveCount(0);
  // the choice is kept in this tab: a reload of a link with no folded setting keeps it open; closed, it stays closed
  await page.reload();
  await lab.prediction();
  await expect(lab.moreSettings).toHaveAttribute('aria-expanded', 'true');
  await lab.moreSettings.click();
  await expect(lab.moreSettings).toHaveAttribute('aria-expanded', 'false');
  await page.reload();
  await lab.prediction();
  await expect(lab.moreSettings).toHaveAttribute('aria-expanded', 'false');
  // a link that sets a folded setting opens it, in this tab (hash change) and in a new one
  await page.evaluate(() => {
    location.hash = '#v=2&atk.restarts=3';
  });
  await expect(lab.moreSettings).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('attack-restarts')).toHaveValue('3');
  const other = await context.newPage();
  await other.goto('/#v=2&view.cmp=mnist-cnn-robust');
  await expect(other.getByTestId('attack-more')).toHaveAttribute('aria-expanded', 'true');
  await expect(other.getByTestId('attack-compare')).toHaveValue('mnist-cnn-robust');
  await expect(other.getByTestId('attack-more-changed')).toHaveText(/compare with/);
});

test('FGSM with a large eps fools the model; the studio shows the perturbation and the norms', async ({ lab, consoleErrors }) => {
  await lab.open('#v=1&backend=webgl&attack=fgsm&eps=0.3&rs=0');
  const clean = await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  expect(await lab.runAttack()).toBe('done');
  await expect(lab.advPredicted).toHaveAttribute('data-class', /^[0-9]$/);
  expect(await lab.advPredicted.getAttribute('data-class')).not.toBe(clean.label);
  await expect(lab.page.getByTestId('adv-verdict')).toHaveAttribute('data-success', 'true');
  // FGSM moves every pixel that can move by exactly eps
  const linf = Number((await lab.page.getByTestId('norm-linf').textContent())?.split(' ')[0]);
  expect(linf).toBeCloseTo(0.3, 3);
  await expect(lab.page.getByTestId('pert-amplification')).toHaveAttribute('data-value', '3.333');
  // the perturbation is drawn on the diverging map: both red (brighter) and blue (darker) pixels, white where unchanged
  const px = await lab.canvasPixels(lab.pertCanvas);
  const colours = new Set<string>();
  for (let i = 0; i < px.length; i += 4)
    colours.add(px[i] === 255 && px[i + 2] < 255 ? 'red' : px[i + 2] === 255 && px[i] < 255 ? 'blue' : 'other');
  expect([...colours].sort()).toEqual(expect.arrayContaining(['blue', 'red']));
  await expect(lab.page.getByTestId('clean-prob').locator('li')).toHaveCount(10);
  await expect(lab.page.getByTestId('adv-prob').locator('li')).toHaveCount(10);
  expect(await lab.tensorCount()).toBe(tensorsBefore);
  await lab.page.screenshot({ path: 'test-results/studio-fgsm.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});

test('the PGD chart gains points while the attack runs, and Cancel stops it without leaking tensors', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=pgd&steps=3000');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await lab.attackRun.click();
  await expect(lab.traceChart).toHaveAttribute('data-running', 'true');
  await expect.poll(() => lab.tracePoints()).toBeGreaterThanOrEqual(2);
  const first = await lab.tracePoints();
  await expect.poll(() => lab.tracePoints()).toBeGreaterThan(first);
  await expect(lab.traceChart).toHaveAttribute('data-running', 'true');
  await lab.attackCancel.click();
  await expect(lab.attackStatus).toHaveAttribute('data-status', 'cancelled');
  await expect(lab.progress).toHaveCount(0);
  expect(await lab.tracePoints()).toBeLessThan(3000);
  expect(await lab.tensorCount()).toBe(tensorsBefore);
});

test('a shared link reproduces the same adversarial image', async ({ lab, context }) => {
  await lab.open('#v=1&backend=webgl&i=3');
  await lab.prediction();
  await lab.attackName.selectOption('pgd');
  await lab.attackSteps.fill('5');
  await lab.attackEps.fill('0.15');
  await lab.openMoreSettings();
  await lab.page.getByTestId('attack-seed').fill('42');
  await expect.poll(async () => (await lab.hashParams()).get('atk.seed')).toBe('42');
  expect(await lab.runAttack()).toBe('done');
  const first = await lab.canvasPixels(lab.advCanvas);
  const url = lab.page.url();

  const other = await context.newPage();
  const { LabPage } = await import('./pages/LabPage');
  const lab2 = new LabPage(other);
  await other.goto(url);
  const p = await lab2.prediction();
  expect(p.sample).toBe('3');
  await expect(lab2.attackSteps).toHaveValue('5');
  expect(await lab2.runAttack()).toBe('done');
  const second = await lab2.canvasPixels(lab2.advCanvas);
  expect(second.length).toBe(first.length);
  expect(second).toEqual(first);
  // and the clean image differs from it: the attack did something
  expect(await lab2.canvasPixels(other.getByTestId('orig-canvas'))).not.toEqual(second);
});

test('stepping through PGD replays the same seed: three steps give the image of a 3-step run', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=pgd&steps=3&eps=0.2&step=0.05&seed=5');
  await lab.prediction();
  const stepK = lab.page.getByTestId('stepper-k');
  // words name the buttons (the icons are SVG, hidden from assistive technology)
  const stepper = lab.page.getByRole('group', { name: 'Step through the attack' });
  await expect(stepper.getByRole('button')).toHaveText(['Reset', 'Play', 'Step']);
  await expect(stepper.getByRole('button', { name: 'Step', exact: true })).toHaveAttribute('data-testid', 'attack-step');
  for (const k of [1, 2, 3]) {
    await lab.page.getByTestId('attack-step').click();
    await expect(stepK).toHaveAttribute('data-k', String(k));
    await expect(lab.progress).toHaveCount(0);
    await expect(lab.traceChart).toHaveAttribute('data-points', String(k + 1));
  }
  await expect(lab.page.getByTestId('attack-step')).toBeDisabled();
  const stepped = await lab.canvasPixels(lab.advCanvas);
  await lab.page.getByTestId('attack-reset').click();
  await expect(stepK).toHaveAttribute('data-k', '0');
  await expect(lab.advCanvas).toHaveCount(0);
  expect(await lab.runAttack()).toBe('done');
  expect(await lab.canvasPixels(lab.advCanvas)).toEqual(stepped);
});

test('a batch check on 20 images shows clean and robust accuracy, the curve for two models, and exports a CSV', async ({
  lab,
  context,
}) => {
  // a second zoo model of the same data set (the same weights under another name) for the extra curve
  const COPY = 'mnist-cnn-copy';
  await addZooCopy(context, COPY);
  await lab.open('#v=1&backend=webgl&attack=fgsm&eps=0.2&rs=0');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await lab.batchN.fill('20');
  await lab.batchEps.fill('0, 0.1');
  await lab.page.getByTestId(`batch-extra-${COPY}`).check();
  await lab.batchRun.click();
  await expect(lab.batchResult).toHaveAttribute('data-status', 'done');
  await expect(lab.progress).toHaveCount(0);
  const clean = Number(await lab.batchClean.getAttribute('data-value'));
  const robust = Number(await lab.batchRobust.getAttribute('data-value'));
  expect(clean).toBeGreaterThan(0.8);
  expect(robust).toBeLessThan(clean);
  // 0, 0.1 and the attack's own 0.2
  await expect(lab.batchCurve).toHaveAttribute('data-points', '3');
  await expect(lab.batchCurve).toHaveAttribute('data-series', '2');
  await expect(lab.batchCurve.locator('.recharts-line')).toHaveCount(2);
  await expect(lab.page.getByTestId('batch-example').first()).toBeVisible();
  expect(await lab.tensorCount()).toBe(tensorsBefore);

  const [download] = await Promise.all([lab.page.waitForEvent('download'), lab.batchCsv.click()]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const lines = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\n');
  expect(lines[0]).toMatch(/^index,label,/);
  expect(lines).toHaveLength(21);
  expect(lines[20]).toMatch(/^19,/);
  await lab.page.screenshot({ path: 'test-results/batch.png', fullPage: true });
});

test('a 3-step PGD runs on the backend of the project and shows the adversarial prediction @webgpu', async ({ lab }, testInfo) => {
  const wanted = testInfo.project.name === 'webgpu' ? 'webgpu' : 'webgl';
  await lab.open(`#v=1&backend=${wanted}&attack=pgd&steps=3&eps=0.3&step=0.1`);
  await lab.prediction();
  await expect(lab.backendName).toHaveText(wanted);
  const tensorsBefore = await lab.tensorCount();
  expect(await lab.runAttack()).toBe('done');
  await expect(lab.advPredicted).toHaveAttribute('data-class', /^[0-9]$/);
  await expect(lab.traceChart).toHaveAttribute('data-points', '4');
  await expect(lab.backendName).toHaveText(wanted);
  await expect(lab.notices).toHaveCount(0);
  expect(await lab.tensorCount()).toBe(tensorsBefore);
});

test('the same attack against a second model is shown side by side', async ({ lab, context }) => {
  await addZooCopy(context, 'mnist-cnn-twin');
  await lab.open('#v=1&backend=webgl&attack=fgsm&eps=0.25&rs=0');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await lab.openMoreSettings();
  await lab.page.getByTestId('attack-compare').selectOption('mnist-cnn-twin');
  await lab.attackRun.click();
  const cmp = lab.page.getByTestId('cmp-attack-status');
  await expect(cmp).toHaveAttribute('data-status', 'done');
  await expect(cmp).toHaveAttribute('data-model', 'mnist-cnn-twin');
  await expect(lab.attackStatus).toHaveAttribute('data-model', 'mnist-cnn');
  await expect(lab.progress).toHaveCount(0);
  // the twin has the same weights: the same deterministic attack gives the same image and prediction
  expect(await lab.canvasPixels(lab.page.getByTestId('cmp-adv-canvas'))).toEqual(await lab.canvasPixels(lab.advCanvas));
  await expect(lab.page.getByTestId('cmp-adv-predicted')).toHaveAttribute(
    'data-class',
    (await lab.advPredicted.getAttribute('data-class'))!,
  );
  // the second model was freed after its run
  expect(await lab.tensorCount()).toBe(tensorsBefore);
});

test("the studio shows each attack's own parameters from the registry and mirrors them into the link", async ({ lab }) => {
  await lab.open('#v=1&backend=webgl');
  await lab.prediction();
  const id = (t: string) => lab.page.getByTestId(t);
  // the attacks lab's keys carry its prefix (atk.); the attack's own key is atk.name
  const hash = async (key: string) => (await lab.hashParams()).get(`atk.${key === 'attack' ? 'name' : key}`);
  await expect(lab.attackName.locator('optgroup[label^="Black-box"] option')).toHaveText(['Square Attack']);
  await expect(lab.attackName.locator('optgroup[label^="White-box"] option')).toHaveCount(11);
  await lab.openMoreSettings();

  await lab.attackEps.fill('0.1');
  // MNIST is grey: no /255 form, the range instead (the walk-through's "eps = 25.5/255 on MNIST")
  await expect(id('eps-units')).toHaveText('(L∞, pixels from 0 to 1)');
  await id('attack-norm').selectOption('l2');
  await expect(id('eps-units')).toHaveText('(L2, at most 28)');
  await expect.poll(() => hash('norm')).toBe('l2');

  await lab.attackName.selectOption('square');
  await expect(id('attack-queries')).toBeVisible();
  await expect(id('attack-steps')).toHaveCount(0);
  // Square has an L2 form too (AutoAttack's L2 version): the L2 norm chosen before stays
  await expect(id('attack-norm')).toHaveValue('l2');
  await id('attack-target').selectOption('3');
  await expect.poll(() => hash('target')).toBe('3');
  await expect.poll(() => hash('tgt')).toBe('1');
  await expect.poll(() => hash('attack')).toBe('square');

  await lab.attackName.selectOption('deepfool');
  await expect(id('attack-overshoot')).toBeVisible();
  await expect(id('attack-target')).toHaveCount(0);
  await expect(id('attack-eps')).toHaveCount(0);
  await expect.poll(() => hash('tgt')).toBeNull();

  await lab.attackName.selectOption('cw');
  await expect(id('attack-c0')).toBeVisible();
  // the attack's own defaults come with it (C&W's cosine optimiser: 100 Adam steps per binary-search step)
  await expect(lab.attackSteps).toHaveValue('100');
  await expect(id('attack-optimizer')).toHaveValue('cosine');
  await expect(id('attack-binarySearchSteps')).toBeVisible();
  await id('attack-confidence-slider').fill('5');
  await expect.poll(() => hash('kappa')).toBe('5');
});

test('a batch check over the whole test set can be cancelled and keeps the finished part', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=fgsm&eps=0.1&rs=0');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await lab.page.getByRole('button', { name: 'all' }).click();
  await expect(lab.batchN).toHaveValue('10000');
  await lab.batchEps.fill('0.1');
  await lab.batchRun.click();
  await expect(lab.progress).toHaveAttribute('data-kind', 'batch');
  await expect.poll(async () => Number(await lab.progressAmount.getAttribute('data-done'))).toBeGreaterThanOrEqual(50);
  await expect(lab.progressAmount).toHaveAttribute('data-total', '10000');
  await expect(lab.progressAmount).toContainText('images/s');
  await lab.cancelButton.click();
  await expect(lab.batchResult).toHaveAttribute('data-status', 'cancelled');
  await expect(lab.progress).toHaveCount(0);
  const n = Number((await lab.page.getByTestId('batch-n').textContent())?.split(' ')[0]);
  expect(n).toBeGreaterThanOrEqual(50);
  expect(n).toBeLessThan(10000);
  expect(await lab.tensorCount()).toBe(tensorsBefore);
});
