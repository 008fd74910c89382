/**
 * CIFAR-10 in the browser: importing a CIFAR-format archive into IndexedDB, pictures of your own,
 * your own model, and the studio on colour images. Every file is made by the test (a 20-image
 * synthetic archive, PNGs with known pixels, a tiny seeded model); workloads stay tiny.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { CIFAR10_CLASSES } from '../src/core/data/cifar';
import type { ModelCard } from '../src/core/models/card';
import { archiveFile, archiveOnDisk, pngFile, tinyCifarModel } from './cifar-files';
import { expect, test } from './fixtures';

const CIFAR = '#v=1&backend=webgl&ds=cifar10';
const classNames = CIFAR10_CLASSES as readonly string[];

/** RGBA of the canvas's 1:1 pixel (x, y). */
async function pixel(page: Page, testId: string, x: number, y: number): Promise<number[]> {
  return page
    .getByTestId(testId)
    .evaluate((c: HTMLCanvasElement, [px, py]) => Array.from(c.getContext('2d')!.getImageData(px, py, 1, 1).data), [x, y] as const);
}

test('an imported CIFAR-10 archive is listed, a broken one leaves it alone, it survives a reload and is deleted', async ({
  cifar,
  consoleErrors,
}) => {
  const archive = await archiveFile(20, { trainingBatches: 1 });
  await cifar.open(CIFAR);
  await cifar.settled();
  await expect(cifar.importedNone).toBeVisible();
  await expect(cifar.imagesNotImported).toBeVisible();
  // one import control, in Setup; the test image and batch panels point to it
  await expect(cifar.archiveInputs).toHaveCount(1);
  await expect(cifar.setupPanel.getByTestId('import-input')).toBeAttached();
  await cifar.imagesNotImported.getByTestId('go-to-import').click();
  await expect(cifar.importInput).toBeFocused();

  await cifar.importFiles([archive]);
  await expect(cifar.imported).toHaveAttribute('data-n', '20');
  await expect(cifar.importedCount).toHaveText('20 images');
  await expect(cifar.imported).toContainText('cifar-10-binary.tar.gz › cifar-10-batches-bin/test_batch.bin');
  await expect(cifar.imported).toContainText('training batches (1) are not needed');
  await expect(cifar.trueLabel).toHaveText('airplane'); // synthetic image 0 has label 0
  await expect(cifar.batchImportNeeded).toHaveCount(0);

  // a broken archive is refused and the stored set stays
  const cut = { ...archive, name: 'cut.tar.gz', buffer: archive.buffer.subarray(0, Math.floor(archive.buffer.length / 2)) };
  await cifar.importFiles([cut]);
  await expect(cifar.importError).toContainText('cut.tar.gz ends early');
  await expect(cifar.importError).toContainText('Nothing was changed');
  await expect(cifar.imported).toHaveAttribute('data-n', '20');

  await cifar.page.reload();
  await cifar.settled();
  await expect(cifar.imported).toHaveAttribute('data-n', '20');
  await cifar.chooseSample(3);
  await expect(cifar.trueLabel).toHaveText(classNames[3]);

  await cifar.importedDelete.click();
  await expect(cifar.importedNone).toBeVisible();
  await expect(cifar.imagesNotImported).toBeVisible();
  await cifar.page.reload();
  await cifar.settled();
  await expect(cifar.importedNone).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('an import cancelled midway says so and leaves the stored set as it was', async ({ cifar, consoleErrors }, testInfo) => {
  await cifar.open(CIFAR);
  await cifar.settled();
  await cifar.importFiles([await archiveFile(20)]);
  await expect(cifar.imported).toHaveAttribute('data-n', '20');

  // as large as the official tar (184 MB: five training batches, then the test batch), reported in 1 % steps
  const big = testInfo.outputPath('cifar-10-binary.tar');
  const size = await archiveOnDisk(big, 10000, { gzip: false, trainingBatches: 5 });
  // Chromium reads it in a second or two, about as long as a click from the test runner takes on a busy
  // 2-core machine: Cancel is pressed from inside the page once the progress has moved three times
  await cifar.page.evaluate(() => {
    const w = window as unknown as { cancelledAt?: Promise<{ label: string; total: number; seen: number[] }> };
    w.cancelledAt = new Promise((resolve) => {
      const seen: number[] = [];
      const observer = new MutationObserver(() => {
        const amount = document.querySelector('[data-testid="progress-amount"]');
        const done = Number(amount?.getAttribute('data-done') ?? 0);
        if (done > 0 && done !== seen.at(-1)) seen.push(done);
        if (seen.length < 3) return;
        observer.disconnect();
        document.querySelector<HTMLButtonElement>('[data-testid="cancel-button"]')!.click();
        const label = document.querySelector('[data-testid="progress-label"]')!.textContent ?? '';
        resolve({ label, total: Number(amount!.getAttribute('data-total')), seen });
      });
      observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    });
  });
  await cifar.importInput.setInputFiles(big);
  const { label, total, seen } = await cifar.page.evaluate(
    () => (window as unknown as { cancelledAt: Promise<{ label: string; total: number; seen: number[] }> }).cancelledAt,
  );
  expect(label).toBe('Reading cifar-10-binary.tar');
  expect(total).toBe(size);
  expect(seen).toEqual([...seen].sort((a, b) => a - b));
  expect(seen.at(-1)!).toBeLessThan(size);
  await expect(cifar.progress).toHaveCount(0);
  await expect(cifar.importError).toHaveText('The import was cancelled; nothing was changed.');
  await expect(cifar.imported).toHaveAttribute('data-n', '20');
  await expect(cifar.imported).toContainText('cifar-10-binary.tar.gz › cifar-10-batches-bin/test_batch.bin');
  await cifar.settled();
  await expect(cifar.trueLabel).toHaveText('airplane');

  await cifar.page.reload();
  await cifar.settled();
  await expect(cifar.imported).toHaveAttribute('data-n', '20');
  await expect(cifar.imported).toContainText('cifar-10-binary.tar.gz › cifar-10-batches-bin/test_batch.bin');
  expect(consoleErrors).toEqual([]);
});

test('an imported image is attacked with eps in /255 and shown as RGB perturbation and magnitude map, class names throughout', async ({
  cifar,
  consoleErrors,
}) => {
  await cifar.open(`${CIFAR}&i=3`);
  await cifar.settled();
  await cifar.importFiles([await archiveFile(20)]);
  await expect(cifar.trueLabel).toHaveText(classNames[3]);
  await cifar.loadOwnModel(await tinyCifarModel());
  const clean = await cifar.prediction();
  expect(Number(clean.predicted)).toBeGreaterThanOrEqual(0);
  await expect(cifar.predictedLabel).toHaveText(classNames[Number(clean.predicted)]);

  await cifar.attackName.selectOption('pgd');
  // 8/255 is CIFAR-10's default (left out of the link); 4/255 is written into it exactly
  expect((await cifar.hashParams()).get('atk.eps')).toBeNull();
  await expect(cifar.epsUnits).toContainText('8/255');
  await cifar.attackEps.fill('4');
  await expect(cifar.epsUnits).toContainText('4/255');
  await expect.poll(async () => (await cifar.hashParams()).get('atk.eps')).toBe(String(4 / 255));
  await cifar.attackSteps.fill('3');
  const tensorsBefore = await cifar.tensorCount();
  expect(await cifar.runAttack()).toBe('done');
  await expect(cifar.epsShown).toHaveText('4/255');
  await expect(cifar.pertCanvas).toBeVisible();
  await expect(cifar.pertHeatCanvas).toBeVisible();
  // amplified RGB: every channel around mid grey, some above and some below; heat map: black to white
  const pert = await cifar.canvasPixels(cifar.pertCanvas);
  const rgb = pert.filter((_, i) => i % 4 !== 3);
  expect(Math.max(...rgb)).toBeGreaterThan(200);
  expect(Math.min(...rgb)).toBeLessThan(55);
  const heat = await cifar.canvasPixels(cifar.pertHeatCanvas);
  expect(Math.max(...heat.filter((_, i) => i % 4 === 0))).toBe(255);
  await expect(cifar.page.getByTestId('norm-linf')).toContainText('(4.0/255)');
  await expect(cifar.page.getByTestId('adv-prob').locator('li').first()).toContainText('airplane');
  await expect(cifar.traceChart).toBeVisible();
  expect(await cifar.tensorCount()).toBe(tensorsBefore);
  await cifar.page.screenshot({ path: 'test-results/cifar-studio.png', fullPage: true });
  expect(consoleErrors).toEqual([]);
});

test('the robustness check asks for the import, then runs over the imported test set', async ({ cifar }) => {
  await cifar.open(`${CIFAR}&attack=fgsm&eps=${4 / 255}`);
  await cifar.settled();
  await cifar.loadOwnModel(await tinyCifarModel());
  await expect(cifar.batchImportNeeded).toBeVisible();
  await expect(cifar.batchRun).toBeDisabled();
  await cifar.batchImportNeeded.getByTestId('go-to-import').click();
  await expect(cifar.importInput).toBeFocused();
  await cifar.importInput.setInputFiles([await archiveFile(20)]);
  await expect(cifar.imported).toHaveAttribute('data-n', '20');
  await cifar.settled();
  await cifar.batchN.fill('20');
  await expect(cifar.batchEps).toHaveValue('0, 2/255, 4/255, 8/255, 16/255');
  await cifar.batchRun.click();
  await expect(cifar.batchResult).toHaveAttribute('data-status', 'done');
  await expect(cifar.page.getByTestId('batch-n')).toContainText('20 images');
  await expect(cifar.batchCurve).toHaveAttribute('data-points', '5');
  await expect(cifar.batchResult).toContainText('ε = 4/255');
  const cleanAcc = Number(await cifar.batchClean.getAttribute('data-value'));
  const robust = Number(await cifar.batchRobust.getAttribute('data-value'));
  expect(robust).toBeLessThanOrEqual(cleanAcc);
});

test('a photo is centre-cropped to a 32x32 preview, classified and attacked without a true label; bad files get clear messages', async ({
  cifar,
}) => {
  await cifar.open(`${CIFAR}&attack=pgd&steps=2&eps=${8 / 255}&step=${2 / 255}`);
  await cifar.settled();
  await cifar.loadOwnModel(await tinyCifarModel());

  // 64 x 48: magenta margins left and right, the centred 48x48 square in four colour quadrants
  const quadrant = (x: number, y: number): [number, number, number] =>
    x < 8 || x >= 56 ? [255, 0, 255] : y < 24 ? (x < 32 ? [200, 30, 30] : [30, 200, 30]) : x < 32 ? [30, 30, 200] : [240, 240, 20];
  await cifar.uploadPicture(pngFile('photo.png', 64, 48, quadrant));
  await expect(cifar.picturePreview).toBeVisible();
  await expect(cifar.page.getByTestId('picture-size')).toHaveText('32x32 RGB');
  expect(await cifar.picturePreview.evaluate((c: HTMLCanvasElement) => [c.width, c.height, getComputedStyle(c).imageRendering])).toEqual([
    32,
    32,
    'pixelated',
  ]);
  expect(await pixel(cifar.page, 'picture-preview', 0, 0)).toEqual([200, 30, 30, 255]);
  expect(await pixel(cifar.page, 'picture-preview', 31, 0)).toEqual([30, 200, 30, 255]);
  expect(await pixel(cifar.page, 'picture-preview', 0, 31)).toEqual([30, 30, 200, 255]);
  expect(await pixel(cifar.page, 'picture-preview', 31, 31)).toEqual([240, 240, 20, 255]);
  await expect(cifar.picturePredicted).toHaveAttribute('data-class', /^[0-9]$/);
  const predicted = Number(await cifar.picturePredicted.getAttribute('data-class'));
  await expect(cifar.page.getByTestId('share-caveat')).toContainText('your picture is not in the link');

  expect(await cifar.runAttack()).toBe('done');
  await expect(cifar.page.getByTestId('attack-custom-note')).toContainText(`model's own clean prediction (${classNames[predicted]})`);
  await expect(cifar.page.getByTestId('orig-canvas')).toBeVisible();
  await expect(cifar.pertHeatCanvas).toBeVisible();
  await expect(cifar.epsShown).toHaveText('8/255');

  await cifar.uploadPicture({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture') });
  await expect(cifar.pictureError).toContainText('notes.png could not be decoded as an image');
  await cifar.uploadPicture({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
  await expect(cifar.pictureError).toContainText('notes.txt is not an image');
  await expect(cifar.picturePreview).toBeVisible(); // the earlier picture stays

  await cifar.importFiles([{ name: 'photo.tar.gz', mimeType: 'application/gzip', buffer: Buffer.from('GIF89a not an archive') }]);
  await expect(cifar.importError).toContainText('photo.tar.gz is neither a gzip or tar archive nor a CIFAR-10 .bin batch');
  await cifar.importFiles([await archiveFile(3, { withTest: false, trainingBatches: 1 }, 'train-only.tar.gz')]);
  await expect(cifar.importError).toContainText('the archive has no test_batch.bin');
  await cifar.modelFiles.setInputFiles([(await tinyCifarModel())[0]]);
  await expect(cifar.modelFilesError).toContainText('weights.bin');

  await cifar.page.getByTestId('picture-clear').click();
  await expect(cifar.imagesNotImported).toBeVisible();
});

test('every CIFAR-10 model of the zoo is listed, loads and classifies an imported image', async ({ cifar }) => {
  const zoo = JSON.parse(readFileSync('public/models/index.json', 'utf8')) as { models: ModelCard[] };
  const models = zoo.models.filter((m) => m.dataset === 'cifar10');
  await cifar.open(CIFAR);
  await cifar.settled();
  const options = await cifar.modelSelect.locator('option').evaluateAll((os: HTMLOptionElement[]) => os.map((o) => o.value));
  expect(options).toEqual(models.length > 0 ? models.map((m) => m.id) : ['']);
  if (models.length === 0) await expect(cifar.page.getByTestId('no-model')).toContainText('no model for CIFAR-10 yet');
  if (models.length > 0) await cifar.importFiles([await archiveFile(10)]);
  for (const m of models) {
    await cifar.modelSelect.selectOption(m.id);
    await expect(cifar.page.getByTestId('model-card')).toHaveAttribute('data-model', m.id);
    const p = await cifar.prediction();
    expect(classNames[Number(p.predicted)]).toBeDefined();
    await expect(cifar.notices.filter({ hasText: 'could not be loaded' })).toHaveCount(0);
  }
});

test('an MNIST digit drawn on the pad is what the model classifies', async ({ cifar }) => {
  await cifar.open('#v=1&backend=webgl');
  await cifar.prediction();
  await cifar.page.locator('.picture-input summary').click();
  const pad = cifar.page.getByTestId('draw-pad');
  // mouse events land only inside the viewport: bring the whole pad into it first
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  await cifar.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
  await cifar.page.mouse.down();
  await cifar.page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 8 });
  await cifar.page.mouse.up();
  await cifar.page.getByTestId('draw-use').click();
  await expect(cifar.page.getByTestId('picture-size')).toHaveText('28x28 grey');
  await expect(cifar.picturePredicted).toHaveAttribute('data-class', /^[0-9]$/);
  // a vertical white stroke on black: the centre column is bright, the corners black
  expect((await pixel(cifar.page, 'picture-preview', 14, 14))[0]).toBeGreaterThan(150);
  expect(await pixel(cifar.page, 'picture-preview', 0, 0)).toEqual([0, 0, 0, 255]);
});
