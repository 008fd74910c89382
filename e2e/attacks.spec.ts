/**
 * C&W-L2, DeepFool, Square Attack and APGD-CE run from the studio in a real browser (WebGL on
 * SwiftShader), one MNIST test image each, small budgets. Every figure the studio prints is checked
 * against the adversarial image it exports (exact float pixels, recomputed here): a wrong norm, a
 * perturbation outside the ball or the [0, 1] box, or a prediction that did not change would fail.
 */
import { expect, test } from './fixtures';
import type { AttackExport, LabPage } from './pages/LabPage';

/** L0, L2 and L-inf of (adversarial - original), and the pixel range of the adversarial, from the exported file. */
function recompute(x: AttackExport) {
  let l0 = 0;
  let sq = 0;
  let linf = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.adversarial.length; i++) {
    const d = x.adversarial[i] - x.original[i];
    if (Math.abs(d) > 1e-7) l0++;
    sq += d * d;
    linf = Math.max(linf, Math.abs(d));
    lo = Math.min(lo, x.adversarial[i]);
    hi = Math.max(hi, x.adversarial[i]);
  }
  return { l0, l2: Math.sqrt(sq), linf, lo, hi };
}

/**
 * Run the studio's attack; check that it succeeded (the prediction changed), that the printed norms are
 * those of the exported pixels, and that every pixel is in [0, 1]. Returns the recomputed norms.
 */
async function runAndCheck(lab: LabPage): Promise<ReturnType<typeof recompute> & { exported: AttackExport }> {
  const clean = await lab.prediction();
  const tensorsBefore = await lab.tensorCount();
  expect(await lab.runAttack()).toBe('done');
  await expect(lab.page.getByTestId('adv-verdict')).toHaveAttribute('data-success', 'true');
  const predicted = await lab.advPredicted.getAttribute('data-class');
  expect(predicted).not.toBe(clean.label);
  expect(await lab.tracePoints()).toBeGreaterThan(1);

  const shown = await lab.shownNorms();
  const x = await lab.downloadAttack();
  const r = recompute(x);
  expect(x.adversarial).toHaveLength(x.shape.reduce((p, v) => p * v, 1));
  expect(x.original).toHaveLength(x.adversarial.length);
  expect(r.lo).toBeGreaterThanOrEqual(0);
  expect(r.hi).toBeLessThanOrEqual(1);
  // the studio prints 4 decimals of the norms the worker measured; both agree with the pixels
  expect(Math.abs(shown.linf - r.linf)).toBeLessThanOrEqual(1e-4);
  expect(Math.abs(shown.l2 - r.l2)).toBeLessThanOrEqual(1e-3);
  expect(Math.abs(x.norms.l2 - r.l2)).toBeLessThanOrEqual(1e-4 * Math.max(1, r.l2));
  expect(Math.abs(shown.l0 - r.l0)).toBeLessThanOrEqual(2 + 0.01 * r.l0);
  expect(r.linf).toBeGreaterThan(0);
  // the exported prediction is the class with the highest probability, and the one the page shows
  expect(x.probs.indexOf(Math.max(...x.probs))).toBe(x.predicted);
  expect(String(x.predicted)).toBe(predicted);
  expect(x.label).toBe(Number(clean.label));
  expect(x.success).toBe(true);
  // the adversarial image and the worker's intermediate tensors were freed
  expect(await lab.tensorCount()).toBe(tensorsBefore);
  return { ...r, exported: x };
}

test('C&W-L2 finds a small L2 perturbation that changes the prediction', async ({ lab, consoleErrors }) => {
  await lab.open('#v=1&backend=webgl&attack=cw&steps=12&bs=2&c=5&lr=0.5');
  await expect(lab.attackSteps).toHaveValue('12');
  const r = await runAndCheck(lab);
  // a minimisation attack: a real perturbation, far below the largest L2 distance on MNIST (28)
  expect(r.l2).toBeGreaterThan(0.05);
  expect(r.l2).toBeLessThan(5);
  expect(new URLSearchParams(r.exported.link.slice(1)).get('atk.name')).toBe('cw');
  expect(consoleErrors).toEqual([]);
});

test('DeepFool crosses the nearest decision boundary with a small L2 step', async ({ lab, consoleErrors }) => {
  await lab.open('#v=1&backend=webgl&attack=deepfool&steps=50&os=0.02');
  const r = await runAndCheck(lab);
  expect(r.l2).toBeGreaterThan(0.05);
  expect(r.l2).toBeLessThan(5);
  // DeepFool stops once the label flips: far fewer iterates than its budget of 50 (plus the start)
  expect(await lab.tracePoints()).toBeLessThan(51);
  expect(consoleErrors).toEqual([]);
});

test('Square Attack stays in the L-inf ball, counts its queries, and fools the model at eps 0.3', async ({ lab, consoleErrors }) => {
  await lab.open('#v=1&backend=webgl&attack=square&eps=0.3&q=1000&p=0.8');
  const r = await runAndCheck(lab);
  expect(r.linf).toBeLessThanOrEqual(0.3 + 1e-6);
  expect((await lab.shownNorms()).linf).toBeLessThanOrEqual(0.3);
  const queries = Number(await lab.page.getByTestId('adv-queries').textContent());
  expect(queries).toBeGreaterThanOrEqual(1);
  expect(queries).toBeLessThanOrEqual(1000);
  expect(r.exported.queries).toBe(queries);
  expect(consoleErrors).toEqual([]);
});

test('APGD-CE stays in the L-inf ball of eps 0.3 and changes the prediction', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=apgd-ce&eps=0.3&steps=20');
  const r = await runAndCheck(lab);
  expect(r.linf).toBeLessThanOrEqual(0.3 + 1e-6);
  expect((await lab.shownNorms()).linf).toBeLessThanOrEqual(0.3);
});

test('AutoAttack (a link of format 2) stays in the ball and says which of its stages fooled the image', async ({ lab }) => {
  await lab.open('#v=2&backend=webgl&atk.v=2&atk.name=autoattack&atk.eps=0.3');
  const r = await runAndCheck(lab);
  expect(r.linf).toBeLessThanOrEqual(0.3 + 1e-6);
  // mnist-cnn falls to the first stage at eps 0.3
  await expect(lab.page.getByTestId('adv-stages')).toContainText('apgd-ce fooled it');
});

test('APGD-CE with an L2 ball of radius 3 (beyond the L-inf range) stays inside it', async ({ lab }) => {
  await lab.open('#v=1&backend=webgl&attack=apgd-ce&norm=l2&eps=3&steps=20');
  // an L2 eps of 3 is a valid link: no notice, and the studio keeps it
  await lab.prediction();
  await expect(lab.notices).toHaveCount(0);
  await expect(lab.attackEps).toHaveValue('3');
  await expect(lab.page.getByTestId('eps-units')).toHaveText('(L2, at most 28)');
  const r = await runAndCheck(lab);
  expect(r.l2).toBeLessThanOrEqual(3 + 1e-4);
  expect((await lab.shownNorms()).l2).toBeLessThanOrEqual(3);
  expect(r.linf).toBeGreaterThan(0.05);
});

for (const [name, hash] of [
  ['C&W-L2', 'attack=cw&steps=1000&bs=9'],
  ['Square Attack', 'attack=square&eps=0.01&q=100000'],
  ['APGD-CE', 'attack=apgd-ce&eps=0.01&steps=5000'],
] as const) {
  test(`${name} can be cancelled mid-run: the chart had points, nothing leaks`, async ({ lab }) => {
    await lab.open(`#v=1&backend=webgl&${hash}`);
    await lab.prediction();
    const tensorsBefore = await lab.tensorCount();
    await lab.attackRun.click();
    await expect(lab.traceChart).toHaveAttribute('data-running', 'true');
    await expect.poll(() => lab.tracePoints()).toBeGreaterThanOrEqual(3);
    await lab.attackCancel.click();
    await expect(lab.attackStatus).toHaveAttribute('data-status', 'cancelled');
    await expect(lab.progress).toHaveCount(0);
    await expect(lab.attackJson).toHaveCount(0);
    expect(await lab.tracePoints()).toBeGreaterThanOrEqual(3);
    expect(await lab.tensorCount()).toBe(tensorsBefore);
  });
}
