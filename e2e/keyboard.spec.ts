/**
 * The keyboard alone: from the page's first Tab stop (the skip link) to a finished attack with Tab,
 * Enter and the arrow keys, no clicks; every stop on the way shows a focus ring; the focus is not lost
 * when the Run button is disabled during the run (it lands on the result); the lab tabs follow the
 * arrow keys.
 */
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';

/** The focused element's test id (or tag), and whether it draws a visible outline. */
async function focused(page: Page): Promise<{ id: string; ring: boolean }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { id: 'body', ring: false };
    const s = getComputedStyle(el);
    const ring = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1;
    return { id: el.dataset.testid ?? el.id ?? el.tagName, ring };
  });
}

test('an attack run with the keyboard only: skip link, Tab to the controls, arrow keys to raise eps, Enter to run', async ({
  page,
  lab,
  consoleErrors,
}) => {
  await lab.open('#v=2&lab=attacks&atk.name=pgd&atk.steps=10');
  await lab.prediction();
  // the first Tab stop is the skip link, shown when focused
  await page.keyboard.press('Tab');
  expect((await focused(page)).id).toBe('skip-link');
  await expect(page.getByTestId('skip-link')).toBeInViewport();
  await page.keyboard.press('Enter');
  expect((await focused(page)).id).toBe('attack-studio');
  // Tab through the studio's controls to eps' slider; every stop shows its focus ring
  const stops: string[] = [];
  for (let i = 0; i < 30 && (await focused(page)).id !== 'attack-eps-slider'; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    stops.push(f.id);
    expect(f.ring, `focus ring on ${f.id}`).toBe(true);
  }
  expect(stops[0]).toBe('attack-name');
  expect(stops.at(-1)).toBe('attack-eps-slider');
  const before = Number(await lab.attackEps.inputValue());
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect.poll(async () => Number(await lab.attackEps.inputValue())).toBeGreaterThan(before);
  const eps = Number(await lab.attackEps.inputValue());
  await expect.poll(async () => (await lab.hashParams()).get('atk.eps')).toBe(String(eps));
  // on to Run attack (a handful of stops, not dozens)
  let n = 0;
  for (; n < 25 && (await focused(page)).id !== 'attack-run'; n++) await page.keyboard.press('Tab');
  expect((await focused(page)).id).toBe('attack-run');
  expect(n).toBeLessThan(20);
  expect((await focused(page)).ring).toBe(true);
  await page.keyboard.press('Enter');
  await expect(lab.attackStatus).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('attack-eps-shown')).toHaveText(String(eps));
  // the chart holds the run once: iterate 0 and the 10 steps (progress arriving after the result is dropped)
  await page.waitForTimeout(500);
  expect(await lab.tracePoints()).toBeLessThanOrEqual(11);
  // the focus is not lost with the disabled Run button: it is on the result (whose verdict is read out)
  await expect.poll(async () => (await focused(page)).id).toBe('attack-status');
  // and Tab goes on from there into the result (its colour-scale choice, then the download link)
  await page.keyboard.press('Tab');
  expect((await focused(page)).id).toBe('scale-max');
  expect(consoleErrors).toEqual([]);
});

test('the lab tabs: one Tab stop, arrow keys switch labs', async ({ page, lab }) => {
  await lab.open('#v=2&lab=attacks');
  await lab.prediction();
  await lab.labTab('attacks').focus();
  await page.keyboard.press('ArrowRight');
  await expect(lab.labTab('defences')).toHaveAttribute('aria-selected', 'true');
  await expect(lab.labTab('defences')).toBeFocused();
  await expect.poll(async () => (await lab.hashParams()).get('lab')).toBe('defences');
  await page.keyboard.press('End');
  await expect(lab.labTab('privacy')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(lab.labTab('attacks')).toHaveAttribute('aria-selected', 'true');
  // the inactive tabs are out of the Tab order
  await expect(lab.labTab('defences')).toHaveAttribute('tabindex', '-1');
});
