import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, cloneExperiment, decodeExperiment } from '../../labs/experiment';
import { ALL_LESSONS } from '../../labs/lessons';
import { enforceLocks, KEY_TO_PATH, leaveClassroom, setClassroom, splitViewLink, useView, viewLinkSuffix } from './view';
import { lessonExperiment } from './runner';

describe('view keys of a link', () => {
  it('are taken out before the experiment is decoded, and written back', () => {
    const s = splitViewLink('#v=2&atk.v=2&atk.eps=0.2&lesson=fgsm&step=2&lock=atk.eps,ds&hide=atk.seed&present=1');
    expect(s.experimentHash).toBe('v=2&atk.v=2&atk.eps=0.2');
    expect(s).toMatchObject({ lesson: 'fgsm', step: 2, lockKeys: ['atk.eps', 'ds'], hideKeys: ['atk.seed'], present: true, fresh: false });
    expect(decodeExperiment(s.experimentHash).notices).toEqual([]);
    expect(splitViewLink('#lesson=pgd').fresh).toBe(true);
    expect(splitViewLink('#lesson=pgd').step).toBe(-1);
    expect(splitViewLink('#lock=atk.nope').notices[0]).toContain('atk.nope');
    expect(splitViewLink('#lesson=<script>').lesson).toBeNull();
  });

  it("carry the studio's second model (cmp=) apart from the experiment, and refuse a malformed name", () => {
    const s = splitViewLink('#v=2&atk.eps=0.2&cmp=mnist-cnn-robust');
    expect(s.experimentHash).toBe('v=2&atk.eps=0.2');
    expect(s.compare).toBe('mnist-cnn-robust');
    expect(s.notices).toEqual([]);
    const bad = splitViewLink('#v=2&cmp=%3Cscript%3E');
    expect(bad.compare).toBeNull();
    expect(bad.notices[0]).toContain('not a model name');
    useView.setState({ compare: 'mnist-cnn-robust' });
    expect(viewLinkSuffix()).toBe('&cmp=mnist-cnn-robust');
    useView.setState({ compare: null });
    expect(viewLinkSuffix()).toBe('');
  });

  it("leave a version-1 link's step (PGD's step size) to the experiment: without a lesson, step is not a view key", () => {
    const v1 = splitViewLink('#v=1&backend=webgl&attack=pgd&eps=0.3&steps=20&step=0.03&rs=0');
    expect(v1.experimentHash).toContain('step=0.03');
    expect(decodeExperiment(v1.experimentHash).experiment.attack.stepSize).toBe(0.03);
    expect(v1.step).toBe(0);
  });

  it('lock a setting at its value: any change of it is put back, others pass', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    e.attack.eps = 0.05;
    setClassroom(e, ['atk.eps', 'ds'], ['atk.seed']);
    expect(useView.getState().origin).toBe('link');
    const edited = cloneExperiment(e);
    edited.attack.eps = 0.3;
    edited.attack.steps = 7;
    edited.dataset = 'fashion-mnist';
    const r = enforceLocks(edited);
    expect(r.experiment.attack.eps).toBe(0.05);
    expect(r.experiment.dataset).toBe('mnist');
    expect(r.experiment.attack.steps).toBe(7);
    expect(r.reverted.sort()).toEqual(['atk.eps', 'ds']);
    expect(edited.attack.eps).toBe(0.3); // the input is not mutated
    expect(viewLinkSuffix()).toBe('&lock=atk.eps,ds&hide=atk.seed');
    leaveClassroom();
    expect(enforceLocks(edited).reverted).toEqual([]);
  });

  it('every field of the core and the labs has a URL key', () => {
    expect(KEY_TO_PATH.get('atk.eps')).toBe('attack.eps');
    expect(KEY_TO_PATH.get('i')).toBe('sample');
    expect(KEY_TO_PATH.get('def.t')).toBe('defence.transforms');
  });
});

describe('lessons', () => {
  it('open cleanly: every lesson and step link decodes without a notice, and locks only real settings', () => {
    for (const l of ALL_LESSONS) {
      expect(decodeExperiment(`v=2&${l.link}`).notices, l.id).toEqual([]);
      for (const s of l.steps) if (s.link) expect(decodeExperiment(`v=2&${s.link}`).notices, `${l.id}: ${s.title}`).toEqual([]);
      for (const k of [...(l.lock ?? []), ...(l.hide ?? [])]) expect(KEY_TO_PATH.has(k), `${l.id} locks ${k}`).toBe(true);
    }
  });

  it('a step link is read on top of the lesson link and the steps before it', () => {
    const pgd = ALL_LESSONS.find((l) => l.id === 'pgd')!;
    expect(lessonExperiment(pgd, 0).attack.name).toBe('fgsm');
    const e = lessonExperiment(pgd, 1);
    expect(e.attack).toMatchObject({ name: 'pgd', steps: 40, stepSize: 0.01, eps: 0.1 });
    expect(e.sample).toBe(4);
    expect(lessonExperiment(pgd, 3).attack.name).toBe('apgd-ce');
  });
});
