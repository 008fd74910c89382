import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test, expect } from './fixtures';

const scratch = join(process.cwd(), '.scratch');

test('a batch check and a studio attack run at the same time; cancelling one leaves the other running to completion', async ({
  lab,
  consoleErrors,
}) => {
  test.setTimeout(400_000);
  // wasm: the fastest backend under SwiftShader; PGD-40 over 1000 images x 5 epsilons takes minutes
  await lab.open('#v=1&backend=wasm&attack=pgd&steps=40');
  await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  await lab.batchN.fill('1000');
  await expect.poll(async () => (await lab.hashParams()).get('atk.bn')).toBe('1000');
  await lab.batchRun.click();
  const batchRow = lab.trayJob('batch');
  await expect(batchRow).toHaveCount(1);
  await expect(lab.batchProgress).toBeVisible();
  // the batch's progress moves within seconds (it counts the attack steps inside a batch), with a time estimate
  await expect.poll(() => lab.jobDone(batchRow), { timeout: 30_000 }).toBeGreaterThan(0);
  await expect(batchRow.getByTestId('progress-eta')).toBeVisible({ timeout: 30_000 });

  // the studio can run while the check runs
  await expect(lab.attackRun).toBeEnabled();
  await lab.attackSteps.fill('3000');
  await lab.attackRun.click();
  const attackRow = lab.trayJob('attack');
  await expect(attackRow).toHaveCount(1);
  await expect(lab.jobsTray).toHaveAttribute('data-count', '2');
  await expect(lab.attackProgress).toBeVisible();
  await expect.poll(() => lab.jobDone(attackRow)).toBeGreaterThanOrEqual(5);
  // both move
  const batchAt = await lab.jobDone(batchRow);
  const attackAt = await lab.jobDone(attackRow);
  await expect.poll(() => lab.jobDone(batchRow)).toBeGreaterThan(batchAt);
  await expect.poll(() => lab.jobDone(attackRow)).toBeGreaterThan(attackAt);

  // screenshots of the tray with two jobs: desktop, then phone width
  mkdirSync(scratch, { recursive: true });
  await lab.page.screenshot({ path: join(scratch, 'jobs-tray-desktop.png') });
  await lab.page.setViewportSize({ width: 390, height: 844 });
  await lab.page.evaluate(() => window.scrollTo(0, 0));
  await lab.page.screenshot({ path: join(scratch, 'jobs-tray-phone.png') });
  await lab.page.setViewportSize({ width: 1280, height: 900 });

  // cancel the attack (its own Cancel in the tray): the check runs on
  await attackRow.getByTestId('cancel-button').click();
  await expect(lab.attackStatus).toHaveAttribute('data-status', 'cancelled');
  await expect(attackRow).toHaveCount(0);
  await expect(batchRow).toHaveCount(1);
  const afterCancel = await lab.jobDone(batchRow);
  await expect.poll(() => lab.jobDone(batchRow)).toBeGreaterThan(afterCancel);

  // a short attack runs to completion while the check is still running
  await lab.attackSteps.fill('100');
  await lab.attackRun.click();
  await expect(lab.attackStatus).toHaveAttribute('data-status', 'done', { timeout: 120_000 });
  await expect(batchRow).toHaveCount(1);

  // now cancel the check from its panel: it keeps the finished part
  await lab.batchCancel.click();
  await expect(lab.batchResult).toHaveAttribute('data-status', 'cancelled');
  await expect(lab.progress).toHaveCount(0);
  await expect.poll(() => lab.tensorCount()).toBe(tensorsBefore);
  expect(consoleErrors).toEqual([]);
});

test('Auto times the backends and keeps the fastest', async ({ lab }) => {
  await lab.open('#v=1');
  await lab.prediction();
  const probe = JSON.parse((await lab.page.getByTestId('backend-probe').getAttribute('data-probe')) ?? '[]') as {
    name: string;
    ms: number | null;
    firstKernelMs: number;
    probeMs: number;
  }[];
  console.log(
    `speed probe: ${probe
      .map(
        (t) =>
          `${t.name} ${t.ms === null ? 'not timed' : `${t.ms.toFixed(1)} ms/step`}, first kernel ${Math.round(t.firstKernelMs)} ms (probe ${Math.round(t.probeMs)} ms)`,
      )
      .join('; ')}`,
  );
  const timed = probe.filter((t): t is typeof t & { ms: number } => t.ms !== null);
  expect(timed.length).toBeGreaterThan(0);
  const fastest = timed.reduce((a, b) => (b.ms < a.ms ? b : a));
  await expect(lab.backendName).toHaveText(fastest.name);
  // an emulated GPU is dropped after its first kernel; setting up its context (about 2.5 s on SwiftShader,
  // paid before the probe existed too) is most of the time: the whole probe stays within seconds
  expect(probe.reduce((s, t) => s + t.probeMs, 0)).toBeLessThan(8000);
});
