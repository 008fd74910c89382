// Lesson screenshots: walks every lesson of every lab step by step through the lesson runner's own UI
// (header "Lessons" -> the lesson's entry -> "Next step" until the last) and saves a viewport JPEG
// (quality 70) per step at 1440 and at 390 px wide, scrolled to the lesson panel. For review by eye;
// not run by CI, and the images are not committed.
//
//   node harness/lesson-shots/shoot.mjs <base-url> <out-dir> [--widths 1440,390] [--only lesson-id,...]
//
// Run it from the repository (node_modules must resolve @playwright/test) against a running lab (dev server
// or `vite preview`). Chromium: RLAB_CHROMIUM, else /usr/bin/chromium. Writes <out-dir>/<width>/<NN>-<lesson>-
// step<k>.jpg and <out-dir>/index.json: per step its title, the lab tab shown, the page's notices, page
// errors, and whether the page was wider than the viewport; steps with any of those are printed as
// "check:" lines at the end.
/* global window, document */ // the page.evaluate callbacks run in the page
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(join(process.cwd(), 'package.json'));
const { chromium } = require('@playwright/test');

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const widths = (flag('--widths') ?? '1440,390').split(',').map(Number);
const only = flag('--only')?.split(',');
const [base, out] = args;
if (!base || !out) {
  console.error('usage: node harness/lesson-shots/shoot.mjs <base-url> <out-dir> [--widths 1440,390] [--only lesson-id,...]');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.RLAB_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-background-networking'],
});

const settled = (page) => page.waitForSelector('[data-testid="lab"][data-settled="true"]', { timeout: 180_000 });

/** The lessons as the list shows them: id, title, and the lab heading they sit under. */
async function lessonList(page) {
  await page.getByTestId('open-lessons').click();
  await page.getByTestId('lesson-list').waitFor();
  return page.getByTestId('lesson-list').evaluate((list) =>
    [...list.querySelectorAll('[data-testid^="lesson-open-"]')].map((b) => ({
      id: b.dataset.testid.slice('lesson-open-'.length),
      title: b.textContent.trim(),
      lab: b.closest('div')?.querySelector('h2')?.textContent.trim() ?? '',
    })),
  );
}

const report = [];
for (const width of widths) {
  // a fresh context per width: no lesson progress, every lesson starts at its first step
  const context = await browser.newContext({ viewport: { width, height: width < 600 ? 844 : 900 }, serviceWorkers: 'block' });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${base.replace(/\/$/, '')}/#v=2`);
  await settled(page);
  const lessons = (await lessonList(page)).filter((l) => !only || only.includes(l.id));
  const dir = join(out, String(width));
  mkdirSync(dir, { recursive: true });
  for (const [n, lesson] of lessons.entries()) {
    if (!(await page.getByTestId('lesson-list').isVisible())) await page.getByTestId('open-lessons').click();
    await page.getByTestId(`lesson-open-${lesson.id}`).click();
    const panel = page.getByTestId('lesson-panel');
    await page.waitForSelector(`[data-testid="lesson-panel"][data-lesson="${lesson.id}"]`);
    for (let k = 0; ; k++) {
      await page.waitForSelector(`[data-testid="lesson-panel"][data-step="${k}"]`);
      await settled(page);
      // the step's lab tab (a lazy chunk) and its math have drawn
      await page.waitForTimeout(700);
      await panel.evaluate((el) => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 8));
      const file = `${String(n + 1).padStart(2, '0')}-${lesson.id}-step${k + 1}.jpg`;
      await page.screenshot({ path: join(dir, file), type: 'jpeg', quality: 70 });
      const info = await page.evaluate(() => ({
        title: document.querySelector('[data-testid="lesson-step-title"]')?.textContent ?? '',
        tab: document.querySelector('[role="tab"][aria-selected="true"]')?.textContent ?? '',
        notices: [...document.querySelectorAll('[data-testid="notice"]')].map((x) => x.textContent.trim()),
        scrollWidth: document.documentElement.scrollWidth,
      }));
      const entry = {
        width,
        lesson: lesson.id,
        lab: lesson.lab,
        step: k + 1,
        file: join(String(width), file),
        ...info,
        errors: [...errors],
      };
      entry.overflow = info.scrollWidth > width;
      report.push(entry);
      errors.length = 0;
      console.log(`${width} ${lesson.id} step ${k + 1}: ${info.title}${entry.overflow ? ' [wider than the viewport]' : ''}`);
      const next = page.getByTestId('lesson-next');
      if ((await next.count()) === 0) break;
      await next.click();
    }
    await page.getByTestId('lesson-close').click();
  }
  await context.close();
}
await browser.close();
writeFileSync(join(out, 'index.json'), JSON.stringify(report, null, 2));
const suspicious = report.filter((r) => r.overflow || r.errors.length > 0 || r.notices.length > 0);
for (const r of suspicious)
  console.log(
    `check: ${r.file}: ${[
      r.overflow && `page ${r.scrollWidth} px wide`,
      ...r.notices.map((x) => `notice "${x}"`),
      ...r.errors.map((x) => `error "${x}"`),
    ]
      .filter(Boolean)
      .join('; ')}`,
  );
console.log(`${report.length} screenshots in ${out}; ${suspicious.length} to check`);
