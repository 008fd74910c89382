/**
 * Real-browser tests. Run through `npm run test:e2e` (e2e/run.mjs), which finds a Chromium and passes
 * its path in RLAB_CHROMIUM. Two projects: WebGL and WebGPU, both on SwiftShader (CPU emulation,
 * so the workload is kept small).
 */
import { defineConfig, devices } from '@playwright/test';
import { QUIET_FLAGS, WEBGL_FLAGS, WEBGPU_FLAGS } from './src/cli/chromium';

const executablePath = process.env.RLAB_CHROMIUM || undefined;
const PORT = Number(process.env.RLAB_E2E_PORT) || 4173;

export default defineConfig({
  testDir: 'e2e',
  // SwiftShader on a 2-core machine: one test at a time, generous timeouts
  workers: 1,
  fullyParallel: false,
  timeout: 180_000,
  expect: { timeout: 60_000 },
  forbidOnly: true,
  retries: 0,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    // what a run leaves in test-results/: a screenshot of each failure, nothing else (no traces, no videos)
    trace: 'off',
    video: 'off',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 900 },
  },
  webServer: {
    // a production build loads much faster than the dev server's unbundled modules (and is what ships)
    // (the echo goes to stderr, which Playwright shows: the build is the run's longest silent stretch)
    command: `echo "e2e: building the app (about a minute)" >&2 && npx vite build --logLevel warn && echo "e2e: built; starting the tests" >&2 && npx vite preview --host 127.0.0.1 --port ${PORT} --strictPort`,
    url: `http://127.0.0.1:${PORT}`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
  projects: [
    {
      name: 'webgl',
      grepInvert: /@webgpu-only/,
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 900 },
        launchOptions: { executablePath, args: [...QUIET_FLAGS, ...WEBGL_FLAGS] },
      },
    },
    {
      name: 'webgpu',
      // WebGPU on SwiftShader is the slowest path: only the tests that concern the backend itself
      grep: /@webgpu/,
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1280, height: 900 },
        launchOptions: { executablePath, args: [...QUIET_FLAGS, ...WEBGPU_FLAGS] },
      },
    },
  ],
});
