#!/usr/bin/env node
// Runs the Playwright tests with a Chromium found on this machine:
//   $CHROMIUM_PATH, else /usr/bin/chromium, else Playwright's own browser if one is installed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

async function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : null;
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  try {
    const { chromium } = await import('@playwright/test');
    const own = chromium.executablePath();
    if (own && existsSync(own)) return own;
  } catch {
    // no Playwright browser installed
  }
  return null;
}

const chromium = await findChromium();
if (!chromium) {
  console.error(
    process.env.CHROMIUM_PATH
      ? `e2e: CHROMIUM_PATH=${process.env.CHROMIUM_PATH} does not exist; point it at a Chromium binary or install one with: apt-get install chromium`
      : 'e2e: no Chromium found; install one with `apt-get install chromium` or set CHROMIUM_PATH=/path/to/chromium',
  );
  process.exit(1);
}
if (!existsSync(join(root, 'public', 'data', 'index.json'))) {
  console.error('e2e: the data sets are not prepared; run `npm run prepare-data` first');
  process.exit(1);
}

const r = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, RLAB_CHROMIUM: chromium },
});
process.exit(r.status ?? 1);
