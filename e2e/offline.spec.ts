import { test, expect } from './fixtures';

/**
 * Offline (vite.config.ts: the service worker of vite-plugin-pwa): after one visit, a reload with the
 * network cut serves the lab, its worker, the default model and test images from the cache, and the
 * model classifies the test image. Runs against the production build (playwright.config.ts's server),
 * where the service worker is registered.
 */
test('after one visit, the lab reloads and classifies with the network cut', async ({ lab, context }) => {
  await lab.open();
  const online = await lab.prediction();
  // the service worker has installed (precache complete) and controls the page
  await lab.page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller)
      await new Promise<void>((r) => navigator.serviceWorker.addEventListener('controllerchange', () => r(), { once: true }));
  });
  await expect(lab.page.getByTestId('update-prompt')).toHaveAttribute('data-state', 'offline-ready');
  const manifest = await lab.page.evaluate(() => document.querySelector('link[rel="manifest"]')?.getAttribute('href'));
  expect(manifest).toBeTruthy();

  await context.setOffline(true);
  expect(
    await lab.page.evaluate(() =>
      fetch('/models/index.json', { cache: 'no-store' }).then(
        () => 'cache',
        () => 'network error',
      ),
    ),
  ).toBe('cache');
  await lab.page.reload();
  const offline = await lab.prediction();
  expect(offline.sample).toBe(online.sample);
  expect(offline.predicted).toBe(online.predicted);
  await expect(lab.notices.filter({ hasText: /fail|error/i })).toHaveCount(0);
  await context.setOffline(false);
});
