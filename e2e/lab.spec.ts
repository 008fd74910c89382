import { test, expect } from './fixtures';
import { STARTER_SAMPLE } from '../src/labs/attacks/starter';

test('a first visit (no hash) loads without console errors and classifies the starter test image correctly @webgpu', async ({
  lab,
  consoleErrors,
}) => {
  await lab.open();
  const p = await lab.prediction();
  // the starter image (src/labs/attacks/starter.ts): MNIST test image 4, whose official label is 4
  await expect(lab.trueLabel).toHaveText('4');
  expect(p.sample).toBe(String(STARTER_SAMPLE));
  expect(p.label).toBe('4');
  expect(p.predicted).toBe(p.label);
  await expect(lab.datasetSelect).toHaveValue('mnist');
  await expect(lab.modelSelect).toHaveValue('mnist-cnn');
  await expect(lab.imageCanvas).toBeVisible();
  await expect(lab.page.getByTestId('prob').locator('li')).toHaveCount(10);
  await expect(lab.notices).toHaveCount(0);
  // the link names the image at once (a link without `i` still means image 0)
  await expect.poll(async () => (await lab.hashParams()).get('i')).toBe(String(STARTER_SAMPLE));
  expect(consoleErrors).toEqual([]);
});

test('a link without a test image still opens image 0', async ({ lab }) => {
  await lab.open('#v=2');
  const p = await lab.prediction();
  expect(p.sample).toBe('0');
  expect(p.label).toBe('7');
});

test('the backend named in the link is the one that runs @webgpu', async ({ lab }, testInfo) => {
  const wanted = testInfo.project.name === 'webgpu' ? 'webgpu' : 'webgl';
  await lab.open(`#v=1&backend=${wanted}`);
  await lab.prediction();
  await expect(lab.backendName).toHaveText(wanted);
  await expect(lab.backendAdapter).toContainText(/swiftshader/i);
  await expect(lab.backendSelect).toHaveValue(wanted);
  expect(await lab.tensorCount()).toBeGreaterThan(0);
  await expect(lab.notices).toHaveCount(0);
});

test('a backend that is unavailable falls back visibly', async ({ lab }) => {
  // the webgl project's Chromium flags give WebGPU no adapter
  await lab.open('#v=1&backend=webgpu');
  const p = await lab.prediction();
  await expect(lab.backendName).toHaveText('webgl');
  await expect(lab.notices.filter({ hasText: 'webgpu backend is not available' })).toHaveCount(1);
  expect(p.predicted).toBe(p.label);
});

test('switching to the wasm backend from the UI keeps the view and goes into the link', async ({ lab }) => {
  await lab.open('#v=1&i=1');
  const before = await lab.prediction();
  await lab.backendSelect.selectOption('wasm');
  await expect(lab.backendName).toHaveText('wasm');
  const after = await lab.prediction();
  expect(after).toEqual(before);
  await expect.poll(async () => (await lab.hashParams()).get('backend')).toBe('wasm');
});

test('a link reproduces a view', async ({ lab, page, context }) => {
  await lab.open();
  await lab.prediction();
  await lab.chooseDataset('fashion-mnist');
  await lab.chooseSample(3);
  await lab.settled();
  await expect(lab.trueLabel).toHaveAttribute('data-sample', '3');
  await expect.poll(async () => Object.fromEntries(await lab.hashParams())).toMatchObject({ ds: 'fashion-mnist', i: '3' });
  const link = page.url();
  const model = await lab.modelSelect.inputValue();
  const label = await lab.trueLabel.textContent();

  const other = await context.newPage();
  await other.goto(link);
  const twin = new (lab.constructor as typeof import('./pages/LabPage').LabPage)(other);
  await twin.settled();
  await expect(twin.datasetSelect).toHaveValue('fashion-mnist');
  await expect(twin.sampleInput).toHaveValue('3');
  await expect(twin.modelSelect).toHaveValue(model);
  await expect(twin.trueLabel).toHaveAttribute('data-sample', '3');
  await expect(twin.trueLabel).toHaveText(label ?? '');
  // until the zoo has a Fashion-MNIST model, the only acceptable notice says so
  await expect(twin.notices.filter({ hasNotText: /has no model for Fashion-MNIST/ })).toHaveCount(0);
});

test('a garbage link shows notices and the default view', async ({ lab, page, consoleErrors }) => {
  let dialogs = 0;
  page.on('dialog', (d) => {
    dialogs++;
    void d.dismiss();
  });
  await lab.open('#v=1&i=-5&model=<script>alert(1)</script>&eps=banana&zzz=1');
  const p = await lab.prediction();
  await expect(lab.notices.filter({ hasText: 'test image -5' })).toHaveCount(1);
  // the model text is shown as text, never as markup
  await expect(lab.notices.filter({ hasText: '<script>' })).toHaveCount(1);
  await expect(lab.notices.filter({ hasText: 'Unknown setting "zzz"' })).toHaveCount(1);
  await expect(page.locator('#root script')).toHaveCount(0);
  expect(p.sample).toBe('0');
  await expect(lab.modelSelect).toHaveValue('mnist-cnn');
  await expect(lab.attackEps).toHaveValue('0.1');
  expect(p.predicted).toBe(p.label);
  // the link is rewritten to the view actually shown
  await expect.poll(() => page.url()).not.toContain('script');
  expect(dialogs).toBe(0);
  expect(consoleErrors).toEqual([]);
});

test('a model from a link that does not fit the data set falls back with a notice', async ({ lab }) => {
  await lab.open('#v=1&ds=mnist&model=no-such-model');
  await lab.prediction();
  await expect(lab.notices.filter({ hasText: '"no-such-model" is not in the model zoo' })).toHaveCount(1);
  await expect(lab.modelSelect).toHaveValue('mnist-cnn');
});

test('attack parameters go into the link, and a running attack can be cancelled without leaking tensors', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await lab.attackName.selectOption('pgd');
  await lab.attackSteps.fill('5000');
  await expect.poll(async () => (await lab.hashParams()).get('atk.steps')).toBe('5000');
  await lab.attackRun.click();
  await expect(lab.progress).toHaveAttribute('data-kind', 'attack');
  // progress streams from the worker, step by step
  await expect.poll(async () => Number(await lab.progressAmount.getAttribute('data-done'))).toBeGreaterThanOrEqual(2);
  await expect(lab.progressAmount).toHaveAttribute('data-total', '5000');
  await lab.cancelButton.click();
  await expect(lab.attackStatus).toHaveAttribute('data-status', 'cancelled');
  await expect(lab.progress).toHaveCount(0);
  expect(await lab.tensorCount()).toBe(tensorsBefore);
  // the worker is still usable: the next image is classified
  await lab.page.getByTestId('sample-next').click();
  const p = await lab.prediction();
  expect(p.sample).toBe('1');
  expect(await lab.tensorCount()).toBe(tensorsBefore);
});

test('a short attack completes and shows the adversarial prediction', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=fgsm&eps=0.3');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await expect(lab.attackName).toHaveValue('fgsm');
  await lab.attackRun.click();
  await expect(lab.attackStatus).toHaveAttribute('data-status', 'done');
  await expect(lab.advPredicted).toHaveAttribute('data-class', /^[0-9]$/);
  await expect(lab.page.getByTestId('adv-prob').locator('li')).toHaveCount(10);
  await expect(lab.page.getByTestId('adv-canvas')).toBeVisible();
  expect(await lab.tensorCount()).toBe(tensorsBefore);
});

test('a model that fails its sha256 check is refused and the previous model stays active', async ({ lab, context }) => {
  const TAMPERED = 'mnist-cnn-tampered';
  await context.route('**/models/index.json', async (route) => {
    const res = await route.fetch();
    const zoo = (await res.json()) as { models: { id: string }[] };
    const real = zoo.models.find((m) => m.id === 'mnist-cnn');
    if (real) zoo.models.push({ ...real, id: TAMPERED });
    await route.fulfill({ response: res, json: zoo });
  });
  await context.route(`**/models/${TAMPERED}/*`, async (route) => {
    const file = new URL(route.request().url()).pathname.split('/').pop()!;
    const res = await route.fetch({ url: new URL(`/models/mnist-cnn/${file}`, route.request().url()).href });
    const body = await res.body();
    if (file !== 'model.json') body[body.length - 1] ^= 0xff; // one flipped bit pattern in the weights
    await route.fulfill({ response: res, body });
  });
  await lab.open();
  const before = await lab.prediction();
  await lab.modelSelect.selectOption(TAMPERED);
  await expect(lab.notices.filter({ hasText: 'does not match its model card' })).toHaveCount(1);
  await expect(lab.notices.filter({ hasText: 'mnist-cnn stays active' })).toHaveCount(1);
  await expect(lab.modelSelect).toHaveValue('mnist-cnn');
  expect(await lab.prediction()).toEqual(before);
});

test('when the GPU device is lost the lab moves to the next backend and keeps its state @webgpu', async ({ lab, page }, testInfo) => {
  // the next backend that passes the probe: after WebGL, WASM; after WebGPU, WebGL where it works beside
  // WebGPU (with the webgpu project's flags it does not, inside a worker), else WASM
  const [from, to] = testInfo.project.name === 'webgpu' ? ['webgpu', /^(webgl|wasm)$/] : ['webgl', /^wasm$/];
  await lab.open(`#v=1&i=2&backend=${from}`);
  const before = await lab.prediction();
  await expect(lab.backendName).toHaveText(from);
  await page.evaluate(() => (window as unknown as { __rlab: { loseDevice(): Promise<string> } }).__rlab.loseDevice());
  await expect(lab.backendName).toHaveText(to);
  await expect(lab.notices.filter({ hasText: /was lost/ })).toHaveCount(1);
  await expect(lab.sampleInput).toHaveValue('2');
  expect(await lab.prediction()).toEqual(before);
});

test('the lab tabs switch panels, go into the link, and a link opens on its lab', async ({ lab, page }) => {
  await lab.open();
  await lab.prediction();
  await expect(lab.labTab('attacks')).toHaveAttribute('aria-selected', 'true');
  await expect(lab.attackRun).toBeVisible();
  await lab.labTab('defences').click();
  await expect(lab.labTab('defences')).toHaveAttribute('aria-selected', 'true');
  await expect(lab.attackRun).toHaveCount(0);
  await expect.poll(async () => (await lab.hashParams()).get('lab')).toBe('defences');
  // the shared panels stay
  await expect(lab.imageCanvas).toBeVisible();
  await page.reload();
  await expect(lab.labTab('defences')).toHaveAttribute('aria-selected', 'true');
  await lab.open('#v=2&lab=nolab');
  await expect(lab.labTab('attacks')).toHaveAttribute('aria-selected', 'true');
  await expect(lab.notices.filter({ hasText: 'The lab "nolab" does not exist' })).toHaveCount(1);
});
