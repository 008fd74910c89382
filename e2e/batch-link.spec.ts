/** The robustness check's settings live in the link: a link sets them, editing them writes them back, bad values are refused. */
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';

test('a link sets the batch check (first image, N, epsilons), and the check runs on exactly those images', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=fgsm&eps=0.2&rs=0&bstart=30&bn=6&beps=0,0.1');
  await lab.prediction();
  await expect(lab.notices).toHaveCount(0);
  await expect(lab.batchN).toHaveValue('6');
  await expect(lab.page.getByTestId('batch-start-input')).toHaveValue('30');
  await expect(lab.batchEps).toHaveValue('0,0.1');
  await lab.batchRun.click();
  await expect(lab.batchResult).toHaveAttribute('data-status', 'done');
  await expect(lab.page.getByTestId('batch-n')).toContainText(/^6 images/);
  // 0, 0.1 and the attack's own 0.2
  await expect(lab.batchCurve).toHaveAttribute('data-points', '3');
  const [download] = await Promise.all([lab.page.waitForEvent('download'), lab.batchCsv.click()]);
  const lines = (await readFile((await download.path())!, 'utf8')).trimEnd().split('\n');
  expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([30, 31, 32, 33, 34, 35]);
});

test('editing the batch settings writes them into the link; a value out of range is refused and not written', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=pgd');
  await lab.prediction();
  await lab.batchN.fill('25');
  await lab.batchEps.fill('0, 0.15; 0.3');
  await expect.poll(async () => (await lab.hashParams()).get('atk.bn')).toBe('25');
  await expect.poll(async () => (await lab.hashParams()).get('atk.beps')).toBe('0,0.15,0.3');
  // an L-inf curve cannot go beyond 1: refused with a message, the run button is disabled, the link keeps the last good list
  await lab.batchEps.fill('0, 2');
  await expect(lab.page.getByTestId('batch-eps-error')).toContainText('2 is outside 0..1');
  await expect(lab.batchRun).toBeDisabled();
  await expect.poll(async () => (await lab.hashParams()).get('atk.beps')).toBe('0,0.15,0.3');
  // the same list is fine for an L2 attack (L2 epsilons go up to 28 on MNIST)
  await lab.page.getByTestId('attack-norm').selectOption('l2');
  // the refused text gives way to the list in force
  await expect(lab.batchEps).toHaveValue('0,0.15,0.3');
  await lab.batchEps.fill('0, 2');
  await expect(lab.page.getByTestId('batch-eps-error')).toHaveCount(0);
  await expect.poll(async () => (await lab.hashParams()).get('atk.beps')).toBe('0,2');
  // back to L-inf: the epsilon 2 no longer fits and is dropped, with a notice
  await lab.page.getByTestId('attack-norm').selectOption('linf');
  await expect.poll(async () => (await lab.hashParams()).get('atk.beps')).toBe('0');
  await expect(lab.notices.filter({ hasText: 'The epsilons of the curve, 0,2, does not fit the new settings; it is now 0.' })).toHaveCount(
    1,
  );
});

test('a tampered batch link gives a notice and the defaults', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&bn=0&beps=0.1,x&bstart=20');
  await lab.prediction();
  await expect(lab.notices.filter({ hasText: 'number of test images of the check 0 is outside 1..10000' })).toHaveCount(1);
  await expect(lab.notices.filter({ hasText: '"x" is not a number' })).toHaveCount(1);
  await expect(lab.batchN).toHaveValue('100');
  await expect(lab.batchEps).toHaveValue('0,0.05,0.1,0.2,0.3');
  await expect(lab.page.getByTestId('batch-start-input')).toHaveValue('20');
});

test("the studio's eps box takes an L2 radius up to 28 on MNIST but an L-inf eps only up to 1", async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=pgd');
  await lab.prediction();
  await lab.attackEps.fill('3');
  await expect(lab.attackEps).toHaveAttribute('aria-invalid', 'true');
  await expect(lab.attackEps).toHaveAttribute('title', /epsilon 3 is outside 0\.\.1/);
  expect((await lab.hashParams()).get('atk.eps')).toBeNull();
  await lab.page.getByTestId('attack-norm').selectOption('l2');
  await expect(lab.attackEps).toHaveValue('0.1');
  await lab.attackEps.fill('3');
  await expect(lab.attackEps).not.toHaveAttribute('aria-invalid', 'true');
  await expect.poll(async () => (await lab.hashParams()).get('atk.eps')).toBe('3');
  await lab.attackEps.fill('28.5');
  await expect(lab.attackEps).toHaveAttribute('title', /epsilon 28.5 is outside 0\.\.28/);
  await expect.poll(async () => (await lab.hashParams()).get('atk.eps')).toBe('3');
  // back to L-inf: eps 3 does not fit, the default comes back with a notice
  await lab.page.getByTestId('attack-norm').selectOption('linf');
  await expect.poll(async () => (await lab.hashParams()).get('atk.eps')).toBeNull();
  await expect(lab.attackEps).toHaveValue('0.1');
  await expect(lab.notices.filter({ hasText: 'The epsilon, 3, does not fit the new settings; it is now 0.1.' })).toHaveCount(1);
});
