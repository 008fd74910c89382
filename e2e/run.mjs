#!/usr/bin/env node
// Runs the Playwright tests with the Chromium that src/cli/chromium.ts finds on this machine:
//   $CHROMIUM_PATH, else /usr/bin/chromium, else Playwright's own browser if one is installed.
// Plain JavaScript so that `node e2e/run.mjs` works; the TypeScript lookup is loaded through tsx.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { findChromium, chromiumNotFound } = await tsImport('../src/cli/chromium.ts', import.meta.url);

const chromium = await findChromium();
if (!chromium) {
  console.error(`e2e: ${chromiumNotFound()}`);
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
