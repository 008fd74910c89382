/**
 * The federated lab's lessons: each link (and each step's link read on top, as the runner does) decodes
 * to the lab state the lesson's text claims, without a notice; each check passes on a hand-made state
 * that satisfies it and fails on one that does not; answers are the numbers of the runs.
 */
import { describe, expect, it } from 'vitest';
import type { Experiment } from '../../experiment';
import { lessonExperiment } from '../../lesson-experiment';
import { simulationSettings } from '../fl-settings';
import { backdoorLesson } from './backdoor';
import { CHOICE_ROBUST, CHOICE_SECAGG, secaggVsRobustLesson } from './secagg-vs-robust';
import type { FederatedLesson, FederatedLessonView, FlRunView, PoisonRunView } from './view';

/** The lesson's experiment at a step, as the runner opens it; no link may give a notice. */
function experimentAt(lesson: FederatedLesson, step: number): Experiment {
  const notices: string[] = [];
  const e = lessonExperiment(lesson, step, (where, n) => notices.push(`${where}: ${n}`));
  expect(notices).toEqual([]);
  return e;
}

function view(e: Experiment, runs: FlRunView[] = [], poisonRuns: PoisonRunView[] = []): FederatedLessonView {
  return { experiment: e, labs: { federated: { runs, poisonRuns } } };
}

/** A finished run of `rounds` rounds whose ASR goes linearly to `asr`. */
function run(aggregator: string, secagg: boolean, asr: number, over: Partial<FlRunView> = {}): FlRunView {
  const rounds = 5;
  return {
    aggregator,
    status: 'done',
    text: false,
    settings: { rounds, seed: 7, attack: { kind: 'replacement' }, ...(secagg ? { secagg: { dropouts: 0, range: 1 } } : {}) },
    rounds: Array.from({ length: rounds }, (_, k) => ({ round: k + 1, cleanAccuracy: 0.8, attackSuccessRate: (asr * (k + 1)) / rounds })),
    ...over,
  };
}

describe('secure vs robust aggregation lesson', () => {
  const L = secaggVsRobustLesson;
  it('opens the small replacement-attack federation on MNIST and WASM, FedAvg without secure aggregation', () => {
    const e = experimentAt(L, 0);
    expect(e.dataset).toBe('mnist');
    expect(e.backend).toBe('wasm');
    expect(e.lab).toBe('federated');
    expect(e.federation).toMatchObject({
      clients: 5,
      perRound: 5,
      rounds: 5,
      perClient: 100,
      attack: 'replacement',
      malicious: 1,
      seed: 7,
    });
    expect(e.poison).toMatchObject({ rate: 0.5, target: 2 });
    expect(e.aggregation).toMatchObject({ rule: 'fedavg', secagg: false, dpNoise: 0 });
    expect(() => simulationSettings(e)).not.toThrow();
  });
  it('step 3 switches to the median; step 4 turns secure aggregation on, which the lab refuses for the median', () => {
    expect(experimentAt(L, 2).aggregation).toMatchObject({ rule: 'median', secagg: false });
    const e = experimentAt(L, 3);
    expect(e.aggregation).toMatchObject({ rule: 'median', secagg: true });
    expect(() => simulationSettings(e)).toThrow(/needs the individual updates/);
    expect(() => simulationSettings({ ...e, aggregation: { ...e.aggregation, rule: 'fedavg' } })).not.toThrow();
  });
  it('each task holds once its run is finished (and kept on the chart), not before', () => {
    const e = experimentAt(L, 0);
    const [, s2, s3, s4, s5] = L.steps;
    const fedavg = run('fedavg', false, 0.98);
    const median = run('median', false, 0.04);
    const secure = run('fedavg', true, 0.97);
    expect(s2.task!.done(view(e))).toBe(false);
    // a running or cancelled run, another attack, or another seed is not this lesson's run
    expect(s2.task!.done(view(e, [{ ...fedavg, status: 'running' }]))).toBe(false);
    expect(s2.task!.done(view(e, [{ ...fedavg, settings: { ...fedavg.settings, attack: { kind: 'backdoor' } } }]))).toBe(false);
    expect(s2.task!.done(view(e, [{ ...fedavg, settings: { ...fedavg.settings, seed: 8 } }]))).toBe(false);
    expect(s2.task!.done(view(e, [secure]))).toBe(false);
    expect(s2.task!.done(view(e, [fedavg]))).toBe(true);
    expect(s2.question!.answer(view(e, [fedavg]))).toBeCloseTo(98, 6);
    expect(s2.question!.answer(view(e))).toBeNull();
    // the robust run alone (FedAvg not kept) does not do: the hint says to keep the runs
    expect(s3.task!.done(view(e, [median]))).toBe(false);
    expect(s3.task!.hint!(view(e, [median]))).toMatch(/keep earlier runs/);
    expect(s3.task!.done(view(e, [fedavg, median]))).toBe(true);
    expect(s3.task!.done(view(e, [fedavg, run('multikrum', false, 0.02)]))).toBe(true);
    expect(s3.question!.answer(view(e, [fedavg, median]))).toBeCloseTo(4, 6);
    // secure aggregation: FedAvg under it, beside the two others
    expect(s4.task!.done(view(e, [fedavg, median]))).toBe(false);
    expect(s4.task!.done(view(e, [secure]))).toBe(false);
    const e4 = experimentAt(L, 3);
    expect(s4.task!.hint!(view(e4, [fedavg, median]))).toMatch(/choose FedAvg/);
    expect(s4.task!.done(view(e4, [fedavg, median, secure]))).toBe(true);
    expect(s4.question!.answer(view(e4, [fedavg, median, secure]))).toBeCloseTo(97, 6);
    // the last question: the run with the lowest final ASR, computed
    expect(s5.question!.answer(view(e, [fedavg, median]))).toBeNull();
    expect(s5.question!.answer(view(e, [fedavg, median, secure]))).toBe(CHOICE_ROBUST);
    expect(s5.question!.answer(view(e, [fedavg, run('median', false, 0.99), run('fedavg', true, 0.1)]))).toBe(CHOICE_SECAGG);
    expect(s5.numbers!(view(e, [fedavg, median, secure]))!.map((r) => r.value)).toEqual([
      'ASR 98.0%, clean accuracy 80.0%',
      'ASR 4.0%, clean accuracy 80.0%',
      'ASR 97.0%, clean accuracy 80.0%',
    ]);
  });
});

describe('backdoor lesson', () => {
  const L = backdoorLesson;
  const poisoned: PoisonRunView = {
    settings: { trigger: 'patch:4:br', rate: 0.1, target: 0, defence: 'none' },
    cleanAccuracy: 0.909,
    asr: 0.93,
    saliencyInTrigger: 0.31,
    trainImages: 3000,
    poisoned: 300,
  };
  const clean: PoisonRunView = { ...poisoned, settings: { ...poisoned.settings, rate: 0 }, cleanAccuracy: 0.937, asr: 0.004, poisoned: 0 };
  it('opens BadNets on 3,000 MNIST images, 10% poisoned, target 0; step 2 removes the poison, step 3 puts it back', () => {
    const e = experimentAt(L, 0);
    expect(e.poison).toMatchObject({
      trigger: 'patch:4:br',
      rate: 0.1,
      target: 0,
      epochs: 3,
      trainImages: 3000,
      testImages: 1000,
      defence: 'none',
    });
    expect(e.lab).toBe('federated');
    expect(experimentAt(L, 1).poison.rate).toBe(0);
    expect(experimentAt(L, 2).poison.rate).toBe(0.1);
    expect(experimentAt(L, 4).poison.defence).toBe('activation-clustering');
  });
  it('checks and answers read the poisoning runs', () => {
    const e = experimentAt(L, 0);
    const [s1, s2, s3, s4, s5] = L.steps;
    expect(s1.task!.done(view(e))).toBe(false);
    expect(s1.task!.done(view(e, [], [clean]))).toBe(false);
    // another trigger is not this lesson's run
    expect(s1.task!.done(view(e, [], [{ ...poisoned, settings: { ...poisoned.settings, trigger: 'patch:3:br' } }]))).toBe(false);
    expect(s1.task!.done(view(e, [], [poisoned]))).toBe(true);
    expect(s1.question!.answer(view(e, [], [poisoned]))).toBeCloseTo(90.9, 6);
    expect(s2.task!.done(view(e, [], [poisoned]))).toBe(false);
    expect(s2.task!.done(view(e, [], [poisoned, clean]))).toBe(true);
    expect(s2.question!.answer(view(e, [], [poisoned, clean]))).toBeCloseTo(2.8, 6);
    expect(s3.question!.answer(view(e, [], [poisoned, clean]))).toBeCloseTo(93, 6);
    // the panel shows the last run: the poisoned one must come again after the clean one
    expect(s3.task!.done(view(e, [], [poisoned, clean]))).toBe(false);
    expect(s3.task!.done(view(e, [], [poisoned]))).toBe(false);
    expect(s3.task!.done(view(e, [], [poisoned, clean, poisoned]))).toBe(true);
    expect(s4.question!.answer(view(e, [], [poisoned]))).toBeCloseTo(31, 6);
    expect(s5.task!.done(view(e, [], [poisoned]))).toBe(false);
    expect(s5.task!.done(view(e, [], [{ ...poisoned, settings: { ...poisoned.settings, defence: 'activation-clustering' } }]))).toBe(true);
  });
});
