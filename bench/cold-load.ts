/**
 * Cold load to the first prediction, in headless Chromium: serve the app (a production build through
 * `vite preview`, or with --dev the dev server of `npm start`), open it in a fresh browser context (no
 * cache, no service worker) and time navigation start -> the prediction panel showing the model's
 * predicted class for the test image (data-testid="predicted-label"). Prints each run and the median.
 *
 *   npm run --silent bench:load                 production build (built first), 3 runs
 *   npm run --silent bench:load -- --dev        the dev server
 *   npm run --silent bench:load -- --runs 5 --port 5490 --no-build
 *
 * Chromium: CHROMIUM_PATH or the system's (src/cli/chromium.ts), WebGL through SwiftShader.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chromium } from '@playwright/test';
import { chromiumNotFound, findChromium, QUIET_FLAGS, WEBGL_FLAGS } from '../src/cli/chromium';
import { projectRoot } from '../src/cli/paths';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} takes a whole number >= 1`);
  return v;
};
const dev = flag('--dev');
const runs = option('--runs', 3);
const port = option('--port', 5490);
const root = projectRoot();

async function waitForServer(url: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the server at ${url} did not answer within ${ms / 1000} s`);
}

async function main(): Promise<void> {
  if (!dev && !flag('--no-build')) {
    const b = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
    if (b.status !== 0) throw new Error('vite build failed');
  }
  const server: ChildProcess = spawn(
    'npx',
    dev
      ? ['vite', '--host', '127.0.0.1', '--port', String(port), '--strictPort']
      : ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'],
    { cwd: root, stdio: 'ignore', detached: true },
  );
  const url = `http://127.0.0.1:${port}/`;
  const executablePath = await findChromium();
  if (!executablePath) throw new Error(chromiumNotFound());
  const browser = await chromium.launch({ executablePath, args: [...QUIET_FLAGS, ...WEBGL_FLAGS] });
  try {
    await waitForServer(url, 60_000);
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ serviceWorkers: 'block', viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      await page.getByTestId('predicted-label').waitFor({ timeout: 180_000 });
      const ms = await page.evaluate(() => performance.now());
      const js = await page.evaluate(() =>
        performance
          .getEntriesByType('resource')
          .filter((e) => (e as PerformanceResourceTiming).initiatorType === 'script' || e.name.endsWith('.js'))
          .reduce((s, e) => s + (e as PerformanceResourceTiming).encodedBodySize, 0),
      );
      times.push(ms / 1000);
      console.log(
        `run ${i + 1}: first prediction ${(ms / 1000).toFixed(2)} s after navigation (${(js / 1024).toFixed(0)} KiB of JavaScript fetched by the page)`,
      );
      await context.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `cold load to first prediction (${dev ? 'dev server' : 'production build'}), median of ${runs}: ${sorted[Math.floor(runs / 2)].toFixed(2)} s`,
    );
  } finally {
    await browser.close();
    if (server.pid) process.kill(-server.pid);
  }
}

main().catch((e) => {
  console.error(`bench:load: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
