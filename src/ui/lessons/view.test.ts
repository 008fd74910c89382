import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, cloneExperiment, decodeExperiment } from '../../labs/experiment';
import { ALL_LESSONS } from '../../labs/lessons';
import { LABS } from '../../labs/index';
import { coreSlice } from '../../core/experiment/core-settings';
import {
  enforceLocks,
  KEY_TO_PATH,
  leaveClassroom,
  clearLessonControls,
  relock,
  setLessonControls,
  setClassroom,
  splitViewLink,
  useView,
  VIEW_PREFIX,
  viewLinkSuffix,
  type ViewState,
} from './view';
import { lessonExperiment } from './runner';

const VIEW: ViewState = {
  lesson: 'fgsm',
  step: 2,
  locked: { 'attack.eps': 0.2, dataset: 'mnist' },
  hidden: ['attack.seed'],
  present: true,
  compare: null,
  fresh: false,
  origin: 'link',
  lessonLocked: [],
  lessonHidden: [],
  lessonOf: null,
};

describe('view keys of a link', () => {
  it('are written under their own prefix, after the experiment, and read back', () => {
    const suffix = viewLinkSuffix(VIEW);
    expect(suffix).toBe('&view.lesson=fgsm&view.step=2&view.lock=atk.eps,ds&view.hide=atk.seed&view.present=1');
    const s = splitViewLink(`#v=2&atk.v=2&atk.eps=0.2${suffix}`);
    expect(s.experimentHash).toBe('v=2&atk.v=2&atk.eps=0.2');
    expect(s).toMatchObject({ lesson: 'fgsm', step: 2, lockKeys: ['atk.eps', 'ds'], hideKeys: ['atk.seed'], present: true, fresh: false });
    expect(s.notices).toEqual([]);
    expect(decodeExperiment(s.experimentHash).notices).toEqual([]);
    expect(splitViewLink('#view.lesson=pgd').fresh).toBe(true);
    expect(splitViewLink('#view.lesson=pgd').step).toBe(-1);
    expect(splitViewLink('#view.lesson=pgd&view.step=0').step).toBe(0);
    expect(splitViewLink('#view.lock=atk.nope').notices[0]).toContain('atk.nope');
    expect(splitViewLink('#view.lesson=<script>').lesson).toBeNull();
    const unknown = splitViewLink('#v=2&atk.v=2&atk.eps=0.2&view.zoom=2');
    expect(unknown.notices).toEqual(['Unknown view setting "view.zoom" in the link was ignored.']);
    expect(unknown.experimentHash).toBe('v=2&atk.v=2&atk.eps=0.2');
  });

  it("beside a PGD step size: view.step is the lesson step, step stays the experiment's", () => {
    const s = splitViewLink('#v=1&attack=pgd&eps=0.3&step=0.03&view.lesson=pgd&view.step=1');
    expect(s).toMatchObject({ lesson: 'pgd', step: 1, fresh: false });
    expect(decodeExperiment(s.experimentHash).experiment.attack.stepSize).toBe(0.03);
  });

  it('no slice of the experiment takes the view prefix (its keys would be read as view keys)', () => {
    const prefixes = LABS.map((l) => l.slice.prefix);
    expect(prefixes).not.toContain(VIEW_PREFIX);
    for (const f of coreSlice().fields) expect(f.url.startsWith(`${VIEW_PREFIX}.`), f.url).toBe(false);
  });

  // links written before the prefix (viewLinkSuffix wrote `&lesson=..&step=..&lock=..&hide=..&present=1`)
  it('of links made before the prefix open the same view as the prefixed link', () => {
    const old = [
      '#v=2&atk.v=2&atk.eps=0.2&lesson=fgsm&step=2&lock=atk.eps,ds&hide=atk.seed&present=1',
      '#lesson=fgsm',
      '#lesson=fgsm&step=3',
      '#lesson=pgd&step=0',
      '#v=2&present=1',
      '#v=2&atk.v=2&atk.name=pgd&atk.eps=0.05&lock=atk.eps,atk.name,ds&hide=atk.seed,atk.restarts',
      '#lock=atk.nope',
      '#lesson=<script>',
    ];
    for (const link of old) {
      const prefixed = link.replace(/([#&])(lesson|step|lock|hide|present)=/g, '$1view.$2=');
      expect(prefixed, link).not.toBe(link);
      expect(splitViewLink(link), link).toEqual(splitViewLink(prefixed));
    }
    const s = splitViewLink(old[0]!);
    expect(s.experimentHash).toBe('v=2&atk.v=2&atk.eps=0.2');
    expect(s).toMatchObject({ lesson: 'fgsm', step: 2, lockKeys: ['atk.eps', 'ds'], hideKeys: ['atk.seed'], present: true, fresh: false });
    expect(splitViewLink('#lesson=pgd')).toMatchObject({ lesson: 'pgd', step: -1, fresh: true });
    expect(splitViewLink('#lesson=fgsm&step=3')).toMatchObject({ lesson: 'fgsm', step: 3, fresh: true });
    expect(splitViewLink('#lock=atk.nope').notices[0]).toContain('atk.nope');
    expect(splitViewLink('#lesson=<script>').lesson).toBeNull();
    // the prefixed key wins over its bare twin
    expect(splitViewLink('#lesson=fgsm&step=1&view.lesson=pgd&view.step=4')).toMatchObject({ lesson: 'pgd', step: 4 });
  });

  it("carry the studio's second model (view.cmp) apart from the experiment, and refuse a malformed name", () => {
    const s = splitViewLink('#v=2&atk.eps=0.2&view.cmp=mnist-cnn-robust');
    expect(s.experimentHash).toBe('v=2&atk.eps=0.2');
    expect(s.compare).toBe('mnist-cnn-robust');
    expect(s.notices).toEqual([]);
    const bad = splitViewLink('#v=2&view.cmp=%3Cscript%3E');
    expect(bad.compare).toBeNull();
    expect(bad.notices[0]).toContain('not a model name');
    useView.setState({ compare: 'mnist-cnn-robust' });
    expect(viewLinkSuffix()).toBe('&view.cmp=mnist-cnn-robust');
    useView.setState({ compare: null });
    expect(viewLinkSuffix()).toBe('');
  });

  it("leave a version-1 link's step (PGD's step size) to the experiment: without a lesson, step is not a view key", () => {
    const v1 = splitViewLink('#v=1&backend=webgl&attack=pgd&eps=0.3&steps=20&step=0.03&rs=0');
    expect(v1.experimentHash).toContain('step=0.03');
    expect(decodeExperiment(v1.experimentHash).experiment.attack.stepSize).toBe(0.03);
    expect(v1.step).toBe(0);
    for (const link of [
      '#v=1&backend=webgl&attack=pgd&eps=0.2&steps=5&step=0.05&rs=0',
      '#v=1&backend=webgl&attack=pgd&steps=3&eps=0.2&step=0.05&seed=5',
      '#v=1&norm=l2&eps=3&step=0.2&beps=0,0.5,2,4',
      '#attack=pgd&eps=0.3&step=0.03',
    ]) {
      const s = splitViewLink(link);
      expect(s.experimentHash, link).toBe(new URLSearchParams(link.slice(1)).toString());
      expect(decodeExperiment(s.experimentHash).experiment, link).toEqual(decodeExperiment(link).experiment);
      expect(decodeExperiment(s.experimentHash).experiment.attack.stepSize, link).toBe(Number(/step=([^&]+)/.exec(link)![1]));
    }
  });

  it("a lesson's locks on top of a teacher's: they follow the lesson's steps, go when it closes, and the teacher's hold", () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    e.attack.steps = 40;
    setClassroom(e, ['atk.steps'], ['atk.seed']);
    e.attack.eps = 0.1;
    setLessonControls(e, 'pgd', ['atk.eps', 'atk.steps'], ['atk.tgt', 'atk.seed']);
    // the teacher's win where both name a setting; only what the lesson added is its own
    expect(useView.getState()).toMatchObject({
      origin: 'link',
      lessonLocked: ['attack.eps'],
      lessonHidden: ['attack.targeted'],
      lessonOf: 'pgd',
    });
    const edited = cloneExperiment(e);
    Object.assign(edited.attack, { eps: 0.3, steps: 7 });
    expect(enforceLocks(edited).reverted.sort()).toEqual(['atk.eps', 'atk.steps']);
    // a lesson step moves the lesson's lock, not the teacher's
    relock(edited);
    expect(enforceLocks(edited).experiment.attack).toMatchObject({ eps: 0.3, steps: 40 });
    // the link carries the teacher's keys only (the lesson sets its own again)
    expect(viewLinkSuffix({ ...useView.getState(), lesson: null })).toBe('&view.lock=atk.steps&view.hide=atk.seed');
    // applied once per lesson: a second call (a later link) does not move them
    setLessonControls(cloneExperiment(DEFAULT_EXPERIMENT), 'pgd', ['atk.eps'], []);
    expect(useView.getState().locked['attack.eps']).toBe(0.3);
    clearLessonControls();
    expect(useView.getState()).toMatchObject({ origin: 'link', locked: { 'attack.steps': 40 }, hidden: ['attack.seed'], lessonLocked: [] });
    leaveClassroom();
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
    expect(viewLinkSuffix()).toBe('&view.lock=atk.eps,ds&view.hide=atk.seed');
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
