// node harness/fl-browser/fl100.mjs <baseUrl> [rounds=3] (after npx vite build && npx vite preview --port P): 100 clients over the whole MNIST training set, 10 a round,
// in one tab (wasm backend); prints per-round progress and the renderer processes' RSS (the worker lives there).
import { createRequire } from 'node:module';
import { execSync } from 'node:child_process';
const require = createRequire(process.cwd() + '/package.json');
const { chromium } = require('@playwright/test');
const [base, rounds = '3'] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
  ],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
const rss = () => {
  const out = execSync("ps -eo rss,args | grep -- '--type=renderer' | grep -v grep | awk '{s+=$1} END {print s}'").toString().trim();
  return Math.round(Number(out) / 1024);
};
await page.goto(
  `${base}/#v=2&lab=federated&backend=wasm&model=mnist-cnn&fl.v=2&fl.n=100&fl.k=10&fl.r=${rounds}&fl.pc=0&fl.atk=none&fl.seed=0`,
);
await page.waitForSelector('[data-testid="lab"][data-settled="true"]', { timeout: 180000 });
console.log('settled; renderer RSS MiB', rss());
const t0 = Date.now();
await page.getByTestId('fl-run').click();
let last = '';
for (;;) {
  await page.waitForTimeout(5000);
  const status = await page
    .getByTestId('fl-summary-fedavg')
    .getAttribute('data-status')
    .catch(() => null);
  const prog = await page
    .getByTestId('fl-progress')
    .textContent()
    .catch(() => '');
  const line = `${((Date.now() - t0) / 1000).toFixed(0)} s  ${status}  ${prog?.replace(/\s+/g, ' ').slice(0, 120)}  RSS ${rss()} MiB`;
  if (line !== last) console.log(line);
  last = line;
  if (status === 'done' || status === 'failed' || status === 'cancelled') break;
}
console.log('summary:', (await page.getByTestId('fl-summary').textContent())?.replace(/\s+/g, ' '));
await page.screenshot({ path: '/tmp/fl100.png', fullPage: true });
await browser.close();
