/**
 * The browser benchmark (rlab bench-browser) measures through the compute worker's `benchmark`; here
 * the same call runs on the wasm backend with tiny sizes. Timings are not judged (the machine is
 * shared), only that every figure is a real, positive measurement and nothing leaks.
 */
import { expect, test } from './fixtures';

interface Timing {
  runs: number;
  msPerRun: number;
}
interface Outcome {
  backend: string;
  model: string;
  adapter: string;
  batchSize: number;
  inference: Timing & { imagesPerSecond: number };
  inputGradient: Timing & { imagesPerSecond: number };
  pgd: Timing & { steps: number; imageSteps: number; imageStepsPerSecond: number };
}

test('the worker benchmark measures inference, input gradients and PGD on the wasm backend', async ({ lab, consoleErrors }) => {
  await lab.open('#v=1&backend=wasm');
  await lab.prediction();
  await expect(lab.backendName).toHaveText('wasm');
  const tensorsBefore = await lab.tensorCount();
  const r = await lab.page.evaluate(() =>
    (window as unknown as { __rlab: { benchmark: (o: object) => Promise<Outcome> } }).__rlab.benchmark({
      batchSize: 4,
      warmup: 1,
      reps: 2,
      pgdSteps: 3,
    }),
  );
  expect(r.backend).toBe('wasm');
  expect(r.model).toBe('mnist-cnn');
  expect(r.adapter).toMatch(/WebAssembly/);
  expect(r.batchSize).toBe(4);
  expect(r.inference.runs).toBe(2);
  expect(r.pgd.steps).toBe(3);
  expect(r.pgd.imageSteps).toBe(12);
  for (const v of [
    r.inference.msPerRun,
    r.inputGradient.msPerRun,
    r.pgd.msPerRun,
    r.inference.imagesPerSecond,
    r.inputGradient.imagesPerSecond,
    r.pgd.imageStepsPerSecond,
  ]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(0);
  }
  expect(r.inputGradient.imagesPerSecond).toBeCloseTo((1000 * 4) / r.inputGradient.msPerRun, 6);
  await expect(lab.progress).toHaveCount(0);
  expect(await lab.tensorCount()).toBe(tensorsBefore);

  // the status bar's Measure button runs the same worker call and shows its figures
  await lab.page.getByTestId('speed-measure').click();
  const shown = lab.page.getByTestId('speed-result');
  await expect(shown).toHaveAttribute('data-backend', 'wasm');
  await expect(shown).toContainText(/wasm: [0-9,.]+ img\/s inference · [0-9,.]+ img\/s gradients · [0-9,.]+ image-steps\/s PGD-10/);
  expect(await lab.tensorCount()).toBe(tensorsBefore);
  expect(consoleErrors).toEqual([]);
});
