/**
 * Teaching in the browser: a lesson from its link to its last step, with steps checked from the lab's
 * own results; a classroom link's locked control cannot be changed through the page nor by editing the
 * link; present mode; the lab notebook's export / import round trip and a malformed file refused with
 * the notebook left as it was.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from './fixtures';
import { LessonPage } from './pages/LessonPage';

test('the FGSM lesson from its link to its end: tasks checked from the studio result, answers from the computed norms', async ({
  page,
  consoleErrors,
}) => {
  const l = new LessonPage(page);
  // a lesson link as written before the view keys had their prefix (`view.lesson`): it opens the same view
  await l.open('#lesson=fgsm');
  await expect(l.panel).toHaveAttribute('data-lesson', 'fgsm');
  await l.step(0);
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('view.lesson=fgsm&view.step=0');
  // the lesson's link opened its state: FGSM, locked, on the lesson's image
  await expect(page.getByTestId('attack-name')).toHaveValue('fgsm');
  await expect(page.getByTestId('attack-name')).toBeDisabled();
  await expect(page.getByTestId('sample-input')).toHaveValue('6');
  await expect(page.locator('.lesson-panel .katex').first()).toBeVisible();
  await l.next.click();

  // step 2: run at eps 0.02; the task is seen done, the question's answer is the result's L-inf norm
  await l.step(1);
  await expect(l.eps).toHaveValue('0.02');
  await expect(l.task).toHaveAttribute('data-done', 'false');
  await expect(page.getByTestId('lesson-question-pending')).toBeVisible();
  await l.runAttack();
  await expect(l.task).toHaveAttribute('data-done', 'true');
  await l.answerWith('0.5');
  await expect(l.verdict).toHaveAttribute('data-right', 'false');
  await l.answerWith('0.02');
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await l.next.click();

  // step 3: not done while the model holds; raise eps to 0.1 and run: the prediction flips
  await l.step(2);
  await expect(l.task).toHaveAttribute('data-done', 'false');
  await l.eps.fill('0.1');
  await l.runAttack();
  await expect(page.getByTestId('attack-status').getByText('fooled', { exact: true })).toBeVisible();
  await expect(l.task).toHaveAttribute('data-done', 'true');
  await l.answerWith('0.1');
  await expect(l.verdict).toHaveAttribute('data-right', 'true');
  await l.next.click();

  // step 4 (last): the question's answer is the L2 norm the lab computed (between 0 and 28 eps)
  await l.step(3);
  await expect(page.getByTestId('lesson-question-pending')).toHaveCount(0);
  await l.answerWith('2.8');
  await expect(l.verdict).toHaveAttribute('data-right', 'false');
  await expect(page.getByTestId('lesson-end')).toBeVisible();
  // the link is the lesson at this step; progress is kept: the bare lesson link reopens at step 4
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('view.lesson=fgsm&view.step=3');
  await l.open('#view.lesson=fgsm');
  await l.step(3);
  expect(consoleErrors).toEqual([]);
});

test('a classroom link locks a control: disabled in the page, and an edited link cannot change it', async ({ page, consoleErrors }) => {
  const l = new LessonPage(page);
  // a classroom link as written before the view prefix; the page rewrites it with the prefix
  await l.open('#v=2&atk.v=2&atk.name=pgd&atk.eps=0.05&lock=atk.eps,atk.name,ds&hide=atk.seed,atk.restarts');
  await l.settled();
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('view.lock=atk.eps,atk.name,ds&view.hide=atk.seed,atk.restarts');
  await expect(l.eps).toHaveValue('0.05');
  await expect(l.eps).toBeDisabled();
  await expect(page.getByTestId('attack-eps-slider')).toBeDisabled();
  await expect(page.getByTestId('attack-name')).toBeDisabled();
  await expect(page.getByTestId('dataset-select')).toBeDisabled();
  await expect(page.getByTestId('attack-restarts')).toHaveCount(0);
  await expect(page.getByTestId('classroom-badge')).toContainText('3 settings locked');
  // the teacher's tool is not offered under a classroom link
  await expect(page.getByTestId('open-classroom')).toHaveCount(0);
  // a student edits the link (the lock keys dropped, other values): the locked ones are put back
  await page.evaluate(() => {
    location.hash = '#v=2&atk.v=2&atk.name=fgsm&atk.eps=0.3&atk.steps=7';
  });
  await expect(page.getByText(/Locked by the classroom link/)).toBeVisible();
  await expect(l.eps).toHaveValue('0.05');
  await expect(page.getByTestId('attack-name')).toHaveValue('pgd');
  await expect(page.getByTestId('attack-steps')).toHaveValue('7');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('atk.eps=0.05');
  // a reload of the edited link in the same tab keeps the lock
  await page.reload();
  await l.settled();
  await expect(l.eps).toHaveValue('0.05');
  await expect(l.eps).toBeDisabled();
  expect(consoleErrors).toEqual([]);
});

test("a lesson under a teacher's lock: the lesson's locks and the teacher's hold together, in the page and against a later link", async ({
  page,
  consoleErrors,
}) => {
  const l = new LessonPage(page);
  // the teacher locks the step count and the restarts and hides the seed; the PGD lesson locks eps, norm, data set, model and image
  await l.open('#view.lesson=pgd&view.lock=atk.steps,atk.restarts&view.hide=atk.seed');
  await l.step(0);
  await l.settled();
  const eps = await l.eps.inputValue();
  await expect(page.getByTestId('attack-name')).toHaveValue('fgsm');
  // the lesson's: locked eps, hidden target; the teacher's: hidden seed (the fold opens for the lesson)
  await expect(l.eps).toBeDisabled();
  await expect(page.getByTestId('dataset-select')).toBeDisabled();
  await expect(page.getByTestId('attack-target')).toHaveCount(0);
  await expect(page.getByTestId('attack-seed')).toHaveCount(0);
  // the lesson moves on: its step picks PGD with 40 steps (the teacher's value), the teacher's steps lock holds
  await l.next.click();
  await l.step(1);
  await expect(page.getByTestId('attack-name')).toHaveValue('pgd');
  await expect(page.getByTestId('attack-steps')).toHaveValue('40');
  await expect(page.getByTestId('attack-steps')).toBeDisabled();
  await expect(page.getByTestId('attack-restarts')).toBeDisabled();
  await expect(l.eps).toBeDisabled();
  await expect(l.eps).toHaveValue(eps);
  // a later link changes the lesson's eps and the teacher's steps: both are put back
  await page.evaluate(() => {
    location.hash = '#v=2&atk.v=2&atk.name=pgd&atk.eps=0.3&atk.steps=7&atk.restarts=4&view.lesson=pgd&view.step=1';
  });
  await expect(page.getByText(/Locked by the classroom link/)).toBeVisible();
  await expect(l.eps).toHaveValue(eps);
  await expect(page.getByTestId('attack-steps')).toHaveValue('40');
  await expect(page.getByTestId('attack-restarts')).toHaveValue('1');
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('view.lock=atk.steps,atk.restarts');
  // nor does an edited link that keeps the lock keys and changes the locked values
  await page.evaluate(() => {
    location.hash = '#v=2&atk.v=2&atk.name=pgd&atk.eps=0.25&atk.steps=9&view.lesson=pgd&view.step=1&view.lock=atk.steps,atk.restarts';
  });
  // the page writes the link back with the locked values
  await expect.poll(() => page.evaluate(() => location.hash)).not.toContain('atk.steps=9');
  await expect(page.getByTestId('attack-steps')).toHaveValue('40');
  await expect(l.eps).toHaveValue(eps);
  // closing the lesson lifts the lesson's locks, not the teacher's
  await page.getByTestId('lesson-close').click();
  await expect(l.eps).toBeEnabled();
  await expect(page.getByTestId('attack-steps')).toBeDisabled();
  await expect(page.getByTestId('attack-seed')).toHaveCount(0);
  await expect(page.getByTestId('attack-target')).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('the classroom link maker writes a link that locks and hides what the teacher chose', async ({ page }) => {
  const l = new LessonPage(page);
  await l.open('#v=2&atk.v=2&atk.name=fgsm&atk.eps=0.2');
  await l.settled();
  await page.getByTestId('open-classroom').click();
  await page.getByTestId('classroom-atk.eps').selectOption('locked');
  await page.getByTestId('classroom-atk.seed').selectOption('hidden');
  await page.getByTestId('classroom-present').check();
  const link = await page.getByTestId('classroom-link').inputValue();
  expect(link).toContain('atk.eps=0.2');
  expect(link).toContain('&view.lock=atk.eps');
  expect(link).toContain('&view.hide=atk.seed');
  expect(link).toContain('&view.present=1');
});

test('present mode: large text, no developer chrome; Escape leaves; a link opens in it', async ({ page }) => {
  const l = new LessonPage(page);
  await l.open('#view.lesson=threat-map');
  await l.settled();
  const lab = page.getByTestId('lab');
  await expect(lab).toHaveAttribute('data-present', 'false');
  const before = await page
    .locator('.lesson-text p')
    .first()
    .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  await page.getByTestId('present-toggle').click();
  await expect(lab).toHaveAttribute('data-present', 'true');
  await expect(page.locator('.status-bar')).toBeHidden();
  const after = await page
    .locator('.lesson-text p')
    .first()
    .evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  expect(after).toBeGreaterThan(before);
  await expect.poll(() => page.evaluate(() => location.hash)).toContain('&view.present=1');
  await page.keyboard.press('Escape');
  await expect(lab).toHaveAttribute('data-present', 'false');
  await l.open('#v=2&view.present=1');
  await expect(lab).toHaveAttribute('data-present', 'true');
  // the same, as written before the view prefix
  await l.open('#v=2&atk.v=2&atk.eps=0.2&present=1');
  await expect(lab).toHaveAttribute('data-present', 'true');
  await expect(l.eps).toHaveValue('0.2');
});

test('the lab notebook: save with results, export, import back; a malformed file is refused and nothing is lost', async ({ page }) => {
  const l = new LessonPage(page);
  await l.open('#v=2&i=6&atk.v=2&atk.name=fgsm&atk.eps=0.1&atk.seed=5');
  await l.runAttack();
  await page.getByTestId('open-notebook').click();
  await expect(page.getByTestId('notebook-empty')).toBeVisible();
  await page.getByTestId('notebook-title').fill('FGSM on image 6');
  await page.getByTestId('notebook-save').click();
  await expect(page.getByTestId('notebook-entry')).toHaveCount(1);
  await expect(page.getByTestId('notebook-entry')).toContainText('fgsm:');

  const download = page.waitForEvent('download');
  await page.getByTestId('notebook-export').click();
  const file = await (await download).path();
  const text = await readFile(file, 'utf8');
  const json = JSON.parse(text) as {
    format: string;
    entries: {
      title: string;
      link: string;
      experiment: Record<string, string>;
      results: { attack?: { success: boolean; seed: number } };
    }[];
  };
  expect(json.format).toBe('robustness-lab-notebook');
  expect(json.entries).toHaveLength(1);
  expect(json.entries[0].experiment['atk.seed']).toBe('5');
  expect(json.entries[0].experiment['i']).toBe('6');
  expect(json.entries[0].experiment['atk.eps']).toBe('0.1');
  expect(json.entries[0].link).toContain('atk.seed=5');
  expect(json.entries[0].results.attack?.success).toBe(true);
  expect(json.entries[0].results.attack?.seed).toBe(5);

  // a malformed notebook: refused with its reason, the notebook unchanged
  await page.getByTestId('notebook-import').setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify({ format: 'robustness-lab-notebook', version: 1, entries: [{ id: 'x', title: 'no link' }] })),
  });
  await expect(page.getByTestId('notebook-status')).toHaveAttribute('data-kind', 'error');
  await expect(page.getByTestId('notebook-status')).toContainText('entry 1');
  await expect(page.getByTestId('notebook-status')).toContainText('unchanged');
  await expect(page.getByTestId('notebook-entry')).toHaveCount(1);
  await page
    .getByTestId('notebook-import')
    .setInputFiles({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('not json') });
  await expect(page.getByTestId('notebook-status')).toContainText('not JSON');
  await expect(page.getByTestId('notebook-entry')).toHaveCount(1);

  // delete, then import the exported file: the entry is back, the same
  await page.getByTestId('notebook-delete').click();
  await expect(page.getByTestId('notebook-empty')).toBeVisible();
  await page
    .getByTestId('notebook-import')
    .setInputFiles({ name: 'lab-notebook.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(page.getByTestId('notebook-status')).toContainText('Imported 1 entry');
  await expect(page.getByTestId('notebook-entry')).toHaveCount(1);
  await expect(page.getByTestId('notebook-entry')).toContainText('FGSM on image 6');
  // importing it again adds nothing (the same entry is already there)
  await page
    .getByTestId('notebook-import')
    .setInputFiles({ name: 'lab-notebook.json', mimeType: 'application/json', buffer: Buffer.from(text) });
  await expect(page.getByTestId('notebook-status')).toContainText('1 already here');
  await expect(page.getByTestId('notebook-entry')).toHaveCount(1);
});
