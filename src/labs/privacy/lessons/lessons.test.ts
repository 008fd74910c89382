/**
 * The privacy lab's lessons: each link (and each step's link read on top, as the runner does) decodes to
 * the lab state the text claims, without a notice; each check passes on a hand-made state that satisfies
 * it and fails on one that does not; the live numbers agree with the zoo's DP card (its command's values).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../experiment';
import { lessonExperiment } from '../../lesson-experiment';
import { DP_MODEL, dpSgdLesson, epsilonAfterEpochs, tprBound } from './dp-sgd';
import { gradientPhotoLesson } from './gradient-photo';
import type { CardView, LeakRunView, MiaRunView, PrivacyLesson, PrivacyLessonView } from './view';

/** The lesson's experiment at a step, as the runner opens it; no link may give a notice. */
function experimentAt(lesson: PrivacyLesson, step: number): Experiment {
  const notices: string[] = [];
  const e = lessonExperiment(lesson, step, (where, n) => notices.push(`${where}: ${n}`));
  expect(notices).toEqual([]);
  return e;
}

const card = (id: string): CardView => JSON.parse(readFileSync(`models/${id}/card.json`, 'utf8')) as CardView;
const dp = card(DP_MODEL);
const plain = card('mnist-cnn');

function view(e: Experiment, opts: { models?: CardView[]; mia?: MiaRunView | null; leak?: LeakRunView[] } = {}): PrivacyLessonView {
  const models = opts.models ?? [plain, dp];
  return {
    experiment: e,
    model: models.find((m) => m.id === e.model) ?? null,
    catalog: { models },
    labs: { privacy: { mia: opts.mia === undefined ? undefined : { status: 'done', outcome: opts.mia }, leakRuns: opts.leak ?? [] } },
  };
}

const mia: MiaRunView = {
  config: { dataset: 'mnist', pool: 200, shadows: 4, training: { epochs: 10 } },
  attacks: [
    { attack: 'loss', auc: 0.61, tprAt001: 0, tprAt01: 0.02, advantage: 0.2 },
    { attack: 'lira-online', auc: 0.67, tprAt001: 0.01, tprAt01: 0.05, advantage: 0.25 },
  ],
  targetTrainAccuracy: 1,
  targetTestAccuracy: 0.82,
};

describe('DP-SGD lesson', () => {
  const L = dpSgdLesson;
  const [s1, s2, s3, s4, s5] = L.steps;
  it('opens the DP model on MNIST; step 4 sets the small overfit membership-inference run', () => {
    const e = experimentAt(L, 0);
    expect(e).toMatchObject({ dataset: 'mnist', model: DP_MODEL, lab: 'privacy', backend: 'wasm' });
    const m = experimentAt(L, 3);
    expect(m.mia).toMatchObject({ pool: 200, shadows: 4, epochs: 10, batchSize: 20, holdout: 50, seed: 0 });
    expect(m.model).toBe(DP_MODEL);
  });
  it("the live accountant agrees with the card's RDP epsilon (15 epochs at q = 0.004)", () => {
    const p = dp.privacy!;
    const rdp = p.epsilon.find((x) => x.accountant === 'rdp')!.epsilon;
    expect(epsilonAfterEpochs(p.noiseMultiplier, p.sampleRate, 15, p.delta)).toBeCloseTo(rdp, 6);
    // more epochs spend more
    expect(epsilonAfterEpochs(p.noiseMultiplier, p.sampleRate, 60, p.delta)).toBeGreaterThan(rdp);
  });
  it('questions are answered from the cards; pending without them', () => {
    const e = experimentAt(L, 0);
    expect(s1.question!.answer(view(e))).toBeCloseTo(240, 6);
    expect(s1.question!.answer(view(e, { models: [plain] }))).toBeNull();
    expect(s1.numbers!(view(e))!.find((r) => r.label.startsWith('noisy steps'))!.value).toBe('3,750');
    // the smallest epsilon of the card's three accountants
    const eps = Object.fromEntries(dp.privacy!.epsilon.map((x) => [x.accountant, x.epsilon]));
    const smallest = Object.entries(eps).sort((a, b) => a[1] - b[1])[0][0];
    expect(s2.question!.answer(view(e))).toBe(smallest);
    const swapped: CardView = {
      ...dp,
      privacy: {
        ...dp.privacy!,
        epsilon: dp.privacy!.epsilon.map((x) => ({ ...x, epsilon: x.accountant === 'rdp-classic' ? 0.1 : x.epsilon })),
      },
    };
    expect(s2.question!.answer(view(e, { models: [plain, swapped] }))).toBe('rdp-classic');
    expect(s3.question!.answer(view(e))).toBeCloseTo(100 * (plain.cleanAccuracy.accuracy - dp.cleanAccuracy.accuracy), 6);
    expect(s3.question!.answer(view(e, { models: [dp] }))).toBeNull();
  });
  it('the membership-inference step is done once a run finished; the bound is e^eps FPR + delta', () => {
    const e = experimentAt(L, 3);
    expect(s4.task!.done(view(e))).toBe(false);
    expect(s4.task!.done({ ...view(e), labs: { privacy: { mia: { status: 'running', outcome: null } } } })).toBe(false);
    expect(s4.task!.done(view(e, { mia }))).toBe(true);
    expect(s4.question!.answer(view(e, { mia }))).toBe(0.67);
    expect(s4.question!.answer(view(e, { mia: { ...mia, attacks: [mia.attacks[0]] } }))).toBe(0.61);
    const rdp = dp.privacy!.epsilon.find((x) => x.accountant === 'rdp')!.epsilon;
    expect(tprBound(rdp, 1e-5, 0.01)).toBeCloseTo(Math.exp(rdp) * 0.01 + 1e-5, 12);
    expect(tprBound(10, 0, 0.5)).toBe(1);
    expect(s5.question!.answer(view(e))).toBeCloseTo(100 * (Math.exp(rdp) * 0.01 + 1e-5), 9);
    const rows = s5.numbers!(view(e, { mia }))!;
    expect(rows[rows.length - 1].value).toBe('5.00%');
  });
});

describe('gradient leakage lesson', () => {
  const L = gradientPhotoLesson;
  const [, s2, s3, s4] = L.steps;
  const settings = { method: 'idlg', index: 3, batch: 1, iterations: 20, noise: 0, prune: 0, clip: 0 };
  const clear: LeakRunView = { settings, mse: 5.5e-9, psnr: 82.6, labelCorrect: true };
  const noisy: LeakRunView = { settings: { ...settings, noise: 0.1 }, mse: 0.05, psnr: 13, labelCorrect: true };
  const pruned: LeakRunView = { settings: { ...settings, prune: 0.5 }, mse: 0.0147, psnr: 18.3, labelCorrect: true };
  it('opens iDLG on MNIST test image 3, batch 1, 20 steps; step 3 adds noise 0.1, step 4 prunes half instead', () => {
    const e = experimentAt(L, 1);
    expect(e).toMatchObject({ dataset: 'mnist', lab: 'privacy', backend: 'wasm' });
    expect(e.leak).toMatchObject({ method: 'idlg', index: 3, batch: 1, iterations: 20, noise: 0, prune: 0, clip: 0 });
    expect(experimentAt(L, 2).leak).toMatchObject({ noise: 0.1, prune: 0 });
    expect(experimentAt(L, 3).leak).toMatchObject({ noise: 0, prune: 0.5 });
  });
  it('checks read the runs with their settings', () => {
    const e = experimentAt(L, 1);
    expect(s2.task!.done(view(e))).toBe(false);
    expect(s2.task!.done(view(e, { leak: [noisy] }))).toBe(false);
    expect(s2.task!.done(view(e, { leak: [clear] }))).toBe(true);
    expect(s2.question!.answer(view(e, { leak: [clear] }))).toBe(82.6);
    expect(s3.task!.done(view(e, { leak: [clear] }))).toBe(false);
    expect(s3.task!.done(view(e, { leak: [clear, noisy] }))).toBe(true);
    expect(s3.question!.answer(view(e, { leak: [clear, noisy] }))).toBeCloseTo(69.6, 9);
    expect(s4.task!.done(view(e, { leak: [clear, noisy] }))).toBe(false);
    expect(s4.task!.done(view(e, { leak: [clear, noisy, pruned] }))).toBe(true);
    expect(s4.question!.answer(view(e, { leak: [clear, pruned] }))).toBe('no');
    expect(s4.question!.answer(view(e, { leak: [clear, { ...pruned, psnr: 45 }] }))).toBe('yes');
    expect(s4.numbers!(view(e, { leak: [clear, noisy, pruned] }))).toHaveLength(3);
  });
});
