/**
 * Accessibility in a real browser: axe-core (@axe-core/playwright, WCAG 2.x A and AA rules) finds no
 * serious or critical violation on any view (each lab's tab, the studio after an attack with its chart
 * and numbers open, the batch check's result, the lessons, a lesson, present mode, the notebook, a
 * phone-width page), in light and in dark mode; the display settings (theme, colour map) are kept
 * across a reload; the phone layout has no horizontal overflow and shows the studio's controls whole.
 * The keyboard-only run of an attack is in e2e/keyboard.spec.ts.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** Serious and critical violations of the page as it is, one line each (rule, count, first targets). */
async function seriousViolations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.nodes.length}): ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

/** axe under the light and the dark scheme of the system (the theme setting follows it by default). */
async function checkBothSchemes(page: Page): Promise<void> {
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    await expect(page.locator('html')).toHaveAttribute('data-theme', colorScheme);
    expect(await seriousViolations(page), `${colorScheme} mode`).toEqual([]);
  }
}

async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('lab')).toHaveAttribute('data-settled', 'true');
}

test('axe: the attacks tab before and after an attack (result, chart and its numbers), light and dark', async ({ page, lab }) => {
  await lab.open('#v=2&lab=attacks&atk.steps=10');
  await lab.prediction();
  await checkBothSchemes(page);
  await lab.runAttack();
  await page.getByTestId('trace-data').locator('summary').click();
  await expect(page.getByTestId('trace-data').locator('tbody tr')).toHaveCount(await lab.tracePoints());
  await checkBothSchemes(page);
});

test('axe: the batch check with its result and chart, light and dark', async ({ page, lab }) => {
  await lab.open('#v=2&lab=attacks&atk.steps=5&atk.bn=8');
  await lab.prediction();
  await lab.batchRun.click();
  await expect(lab.batchResult).toBeVisible();
  await settled(page);
  // the chart's x ticks are the measured epsilons, and its numbers are a table with one row per epsilon
  const eps = (await page.getByTestId('batch-eps-input').inputValue()).split(',').map(Number);
  const data = page.getByTestId('batch-curve-data');
  await data.locator('summary').click();
  await expect(data.locator('tbody tr')).toHaveCount(Number(await lab.batchCurve.getAttribute('data-points')));
  const ticks = lab.batchCurve.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value');
  await expect
    .poll(async () => (await ticks.allTextContents()).map(Number).sort((a, b) => a - b))
    .toEqual([...new Set(eps)].sort((a, b) => a - b));
  await expect(lab.batchCurve.locator('.recharts-label')).toContainText(['ε']);
  await checkBothSchemes(page);
});

for (const tab of ['defences', 'federated', 'privacy']) {
  test(`axe: the ${tab} tab, light and dark`, async ({ page, lab }) => {
    await lab.open(`#v=2&lab=${tab}`);
    await lab.prediction();
    await expect(page.getByText('Loading the panels…')).toHaveCount(0);
    await checkBothSchemes(page);
  });
}

test('axe: the lesson list, a lesson, present mode and the notebook, light and dark', async ({ page, lab }) => {
  await lab.open('#v=2&lab=attacks');
  await lab.prediction();
  await page.getByTestId('open-lessons').click();
  await expect(page.getByTestId('drawer-lessons')).toBeVisible();
  await checkBothSchemes(page);
  await page.getByTestId('open-notebook').click();
  await expect(page.getByTestId('drawer-notebook')).toBeVisible();
  await checkBothSchemes(page);
  await lab.open('#lesson=fgsm');
  await expect(page.getByTestId('lesson-panel')).toBeVisible();
  await settled(page);
  await checkBothSchemes(page);
  await lab.open('#v=2&lab=attacks&present=1');
  await expect(page.getByTestId('lab')).toHaveAttribute('data-present', 'true');
  await settled(page);
  await checkBothSchemes(page);
});

test('phone (390 px): axe in both schemes, no horizontal overflow at rest or after an attack, the studio controls whole', async ({
  page,
  lab,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await lab.open('#v=2&lab=attacks&atk.steps=10');
  await lab.prediction();
  const width = () => page.evaluate(() => document.documentElement.scrollWidth);
  expect(await width()).toBeLessThanOrEqual(390);
  await checkBothSchemes(page);
  // the folded settings too, once opened (and axe on them)
  await lab.openMoreSettings();
  await checkBothSchemes(page);
  for (const id of [
    'attack-name',
    'attack-norm',
    'attack-eps',
    'attack-more',
    'attack-step-size',
    'attack-target',
    'attack-compare',
    'attack-run',
  ]) {
    const box = (await page.getByTestId(id).boundingBox())!;
    expect(box, id).not.toBeNull();
    expect(box.x, id).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, id).toBeLessThanOrEqual(390);
  }
  await lab.runAttack();
  await expect(lab.traceChart.locator('.recharts-line').first()).toBeVisible();
  expect(await width()).toBeLessThanOrEqual(390);
  const chart = (await lab.traceChart.boundingBox())!;
  expect(chart.x + chart.width).toBeLessThanOrEqual(390);
  await checkBothSchemes(page);
});

test('the theme and the colour map are kept in this browser; the colour map redraws the perturbation', async ({ page, lab }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await lab.open('#v=2&lab=attacks&atk.steps=10');
  await lab.prediction();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await page.getByTestId('theme-select').selectOption('dark');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(bg).not.toBe('rgb(245, 246, 248)');
  await lab.runAttack();
  const blueRed = await lab.canvasPixels(lab.pertCanvas);
  // blue-white-red: every pixel has a full red or a full blue channel
  for (let i = 0; i < blueRed.length; i += 4) expect(blueRed[i] === 255 || blueRed[i + 2] === 255).toBe(true);
  await page.getByTestId('colour-map-select').selectOption('orange-purple');
  await expect.poll(async () => (await lab.canvasPixels(lab.pertCanvas)).join(',')).not.toBe(blueRed.join(','));
  const puOr = await lab.canvasPixels(lab.pertCanvas);
  expect(puOr.some((_, i) => i % 4 === 0 && puOr[i] !== 255 && puOr[i + 2] !== 255)).toBe(true);
  // kept: a reload (system still light) opens dark, with the orange-purple map chosen
  await page.reload();
  await lab.prediction();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.getByTestId('theme-select')).toHaveValue('dark');
  await expect(page.getByTestId('colour-map-select')).toHaveValue('orange-purple');
  // back to following the system
  await page.getByTestId('theme-select').selectOption('system');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
});
