import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
import { expect, test } from './fixtures';
import { TrainPage } from './pages/TrainPage';

/** A small FGSM-RS run: 4 batches of 32, a probe every 2 batches on 50 held-out images, the card on 50 test images. */
const SMALL = { tm: 'fgsm-rs', tn: 128, tbs: 32, tho: 50, tpe: 2, ttn: 50 };

test.describe('training in the tab', () => {
  // each project trains on its own backend (WebGL, WebGPU: both SwiftShader here, so slow); the
  // WebGPU project runs only the first test (@webgpu): a WebGPU run on SwiftShader takes minutes
  test.setTimeout(480_000);
  const backend = () => test.info().project.name;

  test('trains one epoch with live charts; the model is in the picker after a reload; bad exports are refused @webgpu', async ({
    page,
    consoleErrors,
  }) => {
    const t = new TrainPage(page);
    await t.open(SMALL, backend());
    await expect(page.getByTestId('backend-name')).toHaveText(backend());
    await t.start.click();
    await expect(t.status).toBeVisible();
    // the charts fill while it runs, then the model is stored
    await expect.poll(() => t.points(t.batchChart), { timeout: 400_000 }).toBeGreaterThanOrEqual(4);
    await expect(t.result).toBeVisible({ timeout: 400_000 });
    expect(await t.points(t.batchChart)).toBe(4);
    // probes after batch 2 (batch 4 ends the epoch, measured in full) and the epoch point
    expect(await t.points(t.holdoutChart)).toBe(2);
    // each chart's numbers, in the shared table
    await expect(page.getByTestId('train-batch-data')).toHaveAttribute('data-rows', '4');
    await expect(page.getByTestId('train-holdout-data')).toHaveAttribute('data-rows', '2');
    await expect(page.getByTestId('train-speed-data')).toHaveAttribute('data-rows', '4');
    await expect(t.checkpoint).toContainText('epoch 1, chosen by PGD-10 accuracy');
    const id = await t.result.getAttribute('data-model');
    expect(id).toBe('my-mnist-fgsm-rs');
    await expect(t.result).toContainText(/clean \d+\.\d\d%, PGD-10 at ε 0\.3 \d+\.\d\d% on 50 test images/);
    expect(await t.pickerModels()).toContain(id);
    await expect(t.modelRows).toHaveCount(1);
    await page.screenshot({ path: 'test-results/training-desktop.png', fullPage: true });

    // a reload: the model is still listed beside the zoo, and it opens from IndexedDB
    await page.reload();
    await expect(page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
    expect(await t.pickerModels()).toContain(id);
    await t.modelSelect.selectOption(id!);
    await expect(page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
    await expect(page.getByTestId('card-stored')).toBeVisible();
    await expect(page.getByTestId('predicted-label')).not.toBeEmpty();

    // export: a zip with the TensorFlow.js files and the card
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`models-export-${id}`).click()]);
    const zip = unzipSync(new Uint8Array(await readFile((await download.path())!)));
    expect(Object.keys(zip).sort()).toEqual(['card.json', 'model.json', 'weights.bin']);
    const card = JSON.parse(new TextDecoder().decode(zip['card.json']));
    expect(card.weights[0].sha256).toBe(createHash('sha256').update(zip['weights.bin']).digest('hex'));

    // a malformed export is refused with a message; nothing stored changes
    await t.importFiles([{ name: 'broken.zip', buffer: Buffer.from('not a zip at all') }]);
    await expect(t.modelsMessage).toContainText(/Not imported: broken\.zip is not a readable zip archive.*Nothing stored was changed/);
    // a model with NaN weights (its card's hash made to match) is refused too
    const nan = new Uint8Array(zip['weights.bin']);
    new Float32Array(nan.buffer, nan.byteOffset, 4)[2] = Number.NaN;
    const nanCard = {
      ...card,
      id: 'my-nan-model',
      weights: [{ ...card.weights[0], sha256: createHash('sha256').update(nan).digest('hex') }],
    };
    const nanZip = zipSync({
      'model.json': zip['model.json'],
      'weights.bin': nan,
      'card.json': new TextEncoder().encode(JSON.stringify(nanCard)),
    });
    await t.importFiles([{ name: 'nan.zip', buffer: Buffer.from(nanZip) }]);
    await expect(t.modelsMessage).toContainText(/Not imported: weight .* contains NaN or infinite values\. Nothing stored was changed/);
    await expect(t.modelRows).toHaveCount(1);
    expect(await t.pickerModels()).not.toContain('my-nan-model');
    // the intact export is recognised as the stored model
    await t.importFiles([{ name: `${id}.zip`, buffer: Buffer.from(zipSync(zip)) }]);
    await expect(t.modelsMessage).toContainText(`already stored, as ${id}`);

    // phone width
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: 'test-results/training-phone.png', fullPage: true });
    expect(consoleErrors).toEqual([]);
  });

  test('a paused run survives a reload and resumes from its last saved batch', async ({ page }) => {
    const t = new TrainPage(page);
    await t.open({ ...SMALL, tm: 'standard', tn: 256, tho: 20, ttn: 20, tpe: 0 }, backend());
    await t.start.click();
    await expect.poll(() => t.points(t.batchChart), { timeout: 300_000 }).toBeGreaterThanOrEqual(3);
    await t.pause.click();
    await expect(t.paused).toBeVisible({ timeout: 60_000 });
    const at = Number(await t.status.getAttribute('data-step'));
    expect(at).toBeGreaterThanOrEqual(3);
    await page.reload();
    await expect(page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
    await expect(t.paused).toContainText(`at batch ${at} of 8`);
    // the charts so far come back with it
    expect(await t.points(t.batchChart)).toBe(at);
    await t.resume.click();
    await expect(t.result).toBeVisible({ timeout: 400_000 });
    expect(await t.points(t.batchChart)).toBe(8);
    await expect(t.result).toHaveAttribute('data-model', /^my-mnist-standard/);
  });
});

test('the trade-off chart measures every model with the studio attack and opens one in the studio', async ({ page, consoleErrors }) => {
  await page.goto('/#v=2&lab=defences&atk.v=2&atk.name=fgsm&atk.eps=0.3');
  await expect(page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
  await page.getByTestId('tradeoff-n').fill('20');
  await page.getByTestId('tradeoff-run').click();
  const chart = page.getByTestId('tradeoff-chart');
  await expect(chart).toBeVisible({ timeout: 170_000 });
  // every MNIST model of the zoo's index is a point (standard, PGD-AT, Gaussian noise, DP-SGD, ...)
  const zoo = (await (await page.request.get('/models/index.json')).json()) as { models: { id: string; dataset: string }[] };
  const mnist = zoo.models.filter((m) => m.dataset === 'mnist').map((m) => m.id);
  expect(mnist).toEqual(expect.arrayContaining(['mnist-cnn', 'mnist-cnn-robust']));
  await expect(chart).toHaveAttribute('data-points', String(mnist.length));
  await expect(page.getByTestId('tradeoff-data')).toHaveAttribute('data-rows', String(mnist.length));
  const list = page.getByTestId('tradeoff-list');
  await expect(list).toContainText(/mnist-cnn \(standard\): clean \d+\.\d%, robust \d+\.\d%/);
  await expect(list).toContainText(/mnist-dp-sigma1.3 \(DP-SGD\): clean \d+\.\d%, robust \d+\.\d%/);
  await expect(list).toContainText(/mnist-cnn-robust \(PGD-AT\): clean \d+\.\d%, robust \d+\.\d%/);
  await page.getByTestId('tradeoff-panel').screenshot({ path: 'test-results/tradeoff.png' });
  await page.getByTestId('tradeoff-open-mnist-cnn-robust').click();
  await expect(page.getByTestId('model-select')).toHaveValue('mnist-cnn-robust');
  // opening a model takes the user to the studio
  await expect(page.getByTestId('lab-tab-attacks')).toHaveAttribute('aria-selected', 'true');
  expect(consoleErrors).toEqual([]);
});
