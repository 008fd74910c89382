import { test as base, expect } from '@playwright/test';
import { CifarPage } from './pages/CifarPage';
import { LabPage } from './pages/LabPage';

/**
 * `lab`: the page object; `cifar`: the same page seen from the CIFAR-10 side; `consoleErrors`: every console
 * error and uncaught exception of the page and its workers.
 */
export const test = base.extend<{ lab: LabPage; cifar: CifarPage; consoleErrors: string[] }>({
  consoleErrors: async ({ page }, provide) => {
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('worker', (w) => {
      w.on('console', (m) => {
        if (m.type() === 'error') errors.push(`worker console: ${m.text()}`);
      });
    });
    await provide(errors);
  },
  lab: async ({ page, consoleErrors }, provide) => {
    void consoleErrors; // attach the listeners before the page opens
    await provide(new LabPage(page));
  },
  cifar: async ({ page, consoleErrors }, provide) => {
    void consoleErrors;
    await provide(new CifarPage(page));
  },
});

export { expect };
