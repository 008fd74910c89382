import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EXPERIMENT,
  conformExperiment,
  decodeExperiment,
  encodeExperiment,
  experimentFromFlags,
  cloneExperiment,
  effectiveNorm,
  maxEps,
  firstVisitExperiment,
} from './experiment';
import { STARTER_SAMPLE } from './attacks/index';

describe('experiment URL codec', () => {
  it('round-trips every field', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    Object.assign(e, { dataset: 'fashion-mnist', model: 'fashion-cnn-robust', sample: 1234, backend: 'webgl' });
    Object.assign(e.attack, { name: 'fgsm', eps: 0.05, steps: 7, stepSize: 0.02, randomStart: false, restarts: 3, seed: 42 });
    Object.assign(e.batch, { start: 250, n: 40, epsilons: [0, 0.025, 0.3], models: ['fashion-cnn', 'fashion-cnn-robust'] });
    const d = decodeExperiment(encodeExperiment(e));
    expect(d.notices).toEqual([]);
    expect(d.experiment).toEqual(e);
  });
  it('round-trips the batch settings as short keys, and a large L2 eps', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    Object.assign(e.attack, { norm: 'l2', eps: 3, stepSize: 0.1875 });
    Object.assign(e.batch, { start: 9000, n: 1000, epsilons: [0.5, 1.5, 3, 6] });
    const hash = encodeExperiment(e);
    expect(new URLSearchParams(hash).get('atk.beps')).toBe('0.5,1.5,3,6');
    expect(new URLSearchParams(hash).get('atk.bstart')).toBe('9000');
    expect(new URLSearchParams(hash).get('atk.bn')).toBe('1000');
    expect(new URLSearchParams(hash).get('atk.bmodels')).toBeNull();
    const d = decodeExperiment(`#${hash}`);
    expect(d.notices).toEqual([]);
    expect(d.experiment).toEqual(e);
    // a decoded experiment is a copy: changing it leaves the defaults alone
    d.experiment.batch.epsilons.push(9);
    expect(DEFAULT_EXPERIMENT.batch.epsilons).toEqual([0, 0.05, 0.1, 0.2, 0.3]);
  });
  it('omits defaults, so the default view has a short link', () => {
    expect(encodeExperiment(DEFAULT_EXPERIMENT)).toBe('v=2');
  });
  it('starts a first visit on the starter image without changing any default', () => {
    const first = firstVisitExperiment();
    expect(first.sample).toBe(STARTER_SAMPLE);
    expect(STARTER_SAMPLE).not.toBe(DEFAULT_EXPERIMENT.sample);
    expect({ ...first, sample: DEFAULT_EXPERIMENT.sample }).toEqual(DEFAULT_EXPERIMENT);
    // its link names the image, so it reopens the same view; a link without `i` is still image 0
    expect(encodeExperiment(first)).toBe(`v=2&i=${STARTER_SAMPLE}`);
    expect(decodeExperiment(encodeExperiment(first)).experiment).toEqual(first);
    expect(decodeExperiment('v=2').experiment.sample).toBe(0);
  });
  it('accepts a leading # and an empty hash', () => {
    expect(decodeExperiment('#v=1&i=7').experiment.sample).toBe(7);
    expect(decodeExperiment('')).toEqual({ experiment: DEFAULT_EXPERIMENT, notices: [] });
  });
  it('turns garbage into notices and defaults, never an exception', () => {
    for (const junk of ['%%%', '<script>alert(1)</script>', 'v=1&i=-5&eps=NaN&attack=rm%20-rf', 'v=1&eps=2', '&&&=&=', 'x'.repeat(5000)]) {
      const d = decodeExperiment(junk);
      expect(d.experiment.attack.eps).toBeGreaterThanOrEqual(0);
      expect(d.experiment.attack.eps).toBeLessThanOrEqual(1);
      expect(d.experiment.sample).toBeGreaterThanOrEqual(0);
      expect(d.notices.length).toBeGreaterThan(0);
    }
    const d = decodeExperiment('v=1&i=-5&eps=0.2&attack=evil');
    expect(d.experiment.sample).toBe(0);
    expect(d.experiment.attack.eps).toBe(0.2);
    expect(d.experiment.attack.name).toBe(DEFAULT_EXPERIMENT.attack.name);
    expect(d.notices.join(' ')).toMatch(/test image -5 is outside/);
  });
  it('turns tampered batch settings into notices and their defaults', () => {
    const cases: [string, string, RegExp][] = [
      ['bn=0', 'n', /number of test images of the check 0 is outside 1\.\.10000/],
      ['bn=10001', 'n', /outside 1\.\.10000/],
      ['bn=2.5', 'n', /not a whole number/],
      ['bstart=-1', 'start', /first test image of the check -1 is outside 0\.\.9999/],
      ['bstart=10000', 'start', /outside 0\.\.9999/],
      ['beps=0.1,x', 'epsilons', /epsilons of the curve: "x" is not a number/],
      ['beps=', 'epsilons', /need 1 to 20 numbers, not 0/],
      ['beps=0,1.5', 'epsilons', /epsilons of the curve: 1.5 is outside 0\.\.1/],
      ['beps=-0.1', 'epsilons', /-0.1 is outside/],
      [`beps=${Array.from({ length: 21 }, (_, i) => i / 100).join(',')}`, 'epsilons', /not 21/],
      ['bmodels=mnist-cnn,<b>', 'models', /"<b>" is not a valid name/],
    ];
    for (const [q, key, message] of cases) {
      const d = decodeExperiment(`v=1&${q}`);
      expect(d.notices.join(' '), q).toMatch(message);
      expect(d.experiment.batch[key as keyof typeof d.experiment.batch], q).toEqual(DEFAULT_EXPERIMENT.batch[key as 'n']);
    }
    // one bad setting does not spoil the others
    const d = decodeExperiment('v=1&bn=0&bstart=20&beps=0.1;0.2');
    expect(d.experiment.batch).toMatchObject({ n: 100, start: 20, epsilons: [0.1, 0.2] });
  });
  it('bounds eps by the norm: [0, 1] for L-inf, [0, sqrt(H*W*C)] for L2', () => {
    expect(maxEps('linf', 'mnist')).toBe(1);
    expect(maxEps('l2', 'mnist')).toBe(28);
    expect(maxEps('l2', 'cifar10')).toBeCloseTo(Math.sqrt(3072), 10);
    expect(decodeExperiment('v=1&norm=l2&eps=3').experiment.attack.eps).toBe(3);
    expect(decodeExperiment('v=1&norm=l2&eps=3').notices).toEqual([]);
    expect(decodeExperiment('v=1&norm=l2&eps=28&step=2').experiment.attack).toMatchObject({ eps: 28, stepSize: 2 });
    const far = decodeExperiment('v=1&norm=l2&eps=28.5');
    expect(far.experiment.attack.eps).toBe(DEFAULT_EXPERIMENT.attack.eps);
    expect(far.notices.join(' ')).toMatch(/epsilon 28.5 is outside 0\.\.28/);
    expect(decodeExperiment('v=1&ds=cifar10&norm=l2&eps=50').experiment.attack.eps).toBe(50);
    expect(decodeExperiment('v=1&ds=cifar10&norm=l2&eps=56').notices.join(' ')).toMatch(/outside 0\.\.55.43/);
    const linf = decodeExperiment('v=1&eps=3');
    expect(linf.experiment.attack.eps).toBe(DEFAULT_EXPERIMENT.attack.eps);
    expect(linf.notices.join(' ')).toMatch(/epsilon 3 is outside 0\.\.1/);
    // an attack without L2 measures eps in L-inf whatever the link's norm says
    expect(effectiveNorm({ name: 'fgsm', norm: 'l2' })).toBe('linf');
    expect(decodeExperiment('v=1&attack=fgsm&norm=l2&eps=3').experiment.attack.eps).toBe(DEFAULT_EXPERIMENT.attack.eps);
    // minimisation attacks draw their curve over L2 thresholds
    expect(effectiveNorm({ name: 'deepfool', norm: 'linf' })).toBe('l2');
    expect(decodeExperiment('v=1&attack=deepfool&beps=0.5,1,3').experiment.batch.epsilons).toEqual([0.5, 1, 3]);
    expect(decodeExperiment('v=1&attack=pgd&beps=0.5,1,3').notices.join(' ')).toMatch(/1 is outside 0\.\.1|3 is outside 0\.\.1/);
  });
  it('brings values that depend on the norm back into range when the norm changes', () => {
    const e = decodeExperiment('v=1&norm=l2&eps=3&step=0.2&beps=0,0.5,2,4').experiment;
    expect(conformExperiment(e)).toEqual({ experiment: e, notes: [] });
    expect(conformExperiment(e).experiment).toBe(e);
    const linf = conformExperiment({ ...e, attack: { ...e.attack, norm: 'linf' } });
    expect(linf.experiment.attack).toMatchObject({ norm: 'linf', eps: DEFAULT_EXPERIMENT.attack.eps, stepSize: 0.2 });
    expect(linf.experiment.batch.epsilons).toEqual([0, 0.5]);
    expect(linf.notes).toHaveLength(2);
    expect(linf.notes[0]).toMatch(/The epsilon, 3, does not fit the new settings; it is now 0.1/);
    const none = conformExperiment({ ...e, attack: { ...e.attack, norm: 'linf' }, batch: { ...e.batch, epsilons: [2, 4] } });
    expect(none.experiment.batch.epsilons).toEqual(DEFAULT_EXPERIMENT.batch.epsilons);
  });
  it('reads old or unknown versions with a notice', () => {
    expect(decodeExperiment('i=3').notices[0]).toMatch(/no version/);
    expect(decodeExperiment('v=0&i=3').experiment.sample).toBe(3);
    expect(decodeExperiment('v=0&i=3').notices[0]).toMatch(/not known/);
    expect(decodeExperiment('v=9&i=3&future=1').notices.join(' ')).toMatch(/newer version/);
  });
});

describe('experiment CLI flags', () => {
  it('reads the same fields under their CLI names', () => {
    const e = experimentFromFlags({ eps: '0.3', 'step-size': '0.01', 'random-start': true, attack: 'pgd', restarts: '2' });
    expect(e.attack).toMatchObject({ eps: 0.3, stepSize: 0.01, randomStart: true, restarts: 2 });
  });
  it("reads a command's own lab's flag where two labs share a name", () => {
    expect(experimentFromFlags({ defence: 'spectral' }, undefined, 'federated').poison.defence).toBe('spectral');
    expect(experimentFromFlags({ defence: 'median:2' }, undefined, 'defences').defence.transforms).toBe('median:2');
    expect(() => experimentFromFlags({ defence: 'spectral' }, undefined, 'defences')).toThrow(/--defence/);
  });
  it('throws a one-line error on a bad value', () => {
    expect(() => experimentFromFlags({ eps: 'abc' })).toThrow(/--eps: epsilon "abc" is not a number/);
  });
  it('bounds eps by the norm given on the same command line', () => {
    expect(experimentFromFlags({ norm: 'l2', eps: '3' }).attack.eps).toBe(3);
    expect(() => experimentFromFlags({ eps: '3' })).toThrow(/--eps: epsilon 3 is outside 0\.\.1/);
    expect(() => experimentFromFlags({ norm: 'l2', eps: '30' })).toThrow(/outside 0\.\.28/);
  });
  it('reads the batch settings', () => {
    const e = experimentFromFlags({
      'batch-n': '500',
      'batch-start': '100',
      'batch-epsilons': '0,0.1,0.3',
      'batch-models': 'mnist-cnn-robust',
    });
    expect(e.batch).toEqual({ start: 100, n: 500, epsilons: [0, 0.1, 0.3], models: ['mnist-cnn-robust'] });
    expect(() => experimentFromFlags({ 'batch-epsilons': '0,2' })).toThrow(/--batch-epsilons: epsilons of the curve: 2 is outside 0\.\.1/);
  });
});

describe('colour data sets: budgets on the /255 scale', () => {
  it('a CIFAR-10 link without budgets gets 8/255, 2/255 and the 0..16/255 curve, and round-trips', () => {
    const { experiment: e, notices } = decodeExperiment('v=2&ds=cifar10&model=cifar10-cnn');
    expect(notices).toEqual([]);
    expect(e.attack.eps).toBe(8 / 255);
    expect(e.attack.stepSize).toBe(2 / 255);
    expect(e.batch.epsilons).toEqual([0, 2 / 255, 4 / 255, 8 / 255, 16 / 255]);
    expect(encodeExperiment(e)).toBe('v=2&ds=cifar10&model=cifar10-cnn');
    const other = { ...e, attack: { ...e.attack, eps: 0.1 } };
    expect(decodeExperiment(encodeExperiment(other)).experiment.attack.eps).toBe(0.1);
  });
  it('MNIST links and L2 budgets keep the plain defaults', () => {
    expect(decodeExperiment('v=1&ds=mnist').experiment.attack.eps).toBe(DEFAULT_EXPERIMENT.attack.eps);
    const l2 = decodeExperiment('v=1&ds=cifar10&norm=l2').experiment;
    expect(l2.attack.eps).toBe(DEFAULT_EXPERIMENT.attack.eps);
  });
  it('fractions are read in the link and the flags', () => {
    expect(decodeExperiment('v=1&ds=cifar10&eps=4/255').experiment.attack.eps).toBe(4 / 255);
    expect(decodeExperiment('v=1&ds=cifar10&beps=0,1/255').experiment.batch.epsilons).toEqual([0, 1 / 255]);
    expect(decodeExperiment('v=1&eps=1/0').notices.length).toBe(1);
  });
});

/** Links the lab wrote before lab modules (format 1, flat keys), taken from the browser tests. */
const V1_LINKS = [
  '#v=1&backend=webgl&attack=cw&steps=12&bs=2&c=5&lr=0.5',
  '#v=1&backend=webgl&attack=deepfool&steps=50&os=0.02',
  '#v=1&backend=webgl&attack=square&eps=0.3&q=1000&p=0.8',
  '#v=1&backend=webgl&attack=apgd-ce&eps=0.3&steps=20',
  '#v=1&backend=webgl&attack=apgd-ce&norm=l2&eps=3&steps=20',
  '#v=1&backend=webgl&attack=fgsm&eps=0.2&rs=0&bstart=30&bn=6&beps=0,0.1',
  '#v=1&backend=webgl&bn=0&beps=0.1,x&bstart=20',
  '#v=1&backend=webgl&ds=cifar10',
  '#v=1&i=-5&model=<script>alert(1)</script>&eps=banana&zzz=1',
  '#v=1&backend=webgl&attack=pgd&steps=3&eps=0.2&step=0.05&seed=5',
  '#v=1&backend=webgl&attack=mifgsm&norm=l2&eps=2&steps=7&mu=0.5&tgt=1&target=3',
  '#v=1&ds=fashion-mnist&model=fashion-cnn-robust&i=1234&attack=bim&eps=0.05&bmodels=fashion-cnn',
];

describe('links of format 1 (before lab prefixes)', () => {
  it('open the same view as before: every setting lands where it did', () => {
    const d = decodeExperiment('#v=1&backend=webgl&attack=cw&steps=12&bs=2&c=5&lr=0.5&kappa=2');
    expect(d.notices).toEqual([]);
    expect(d.experiment.backend).toBe('webgl');
    expect(d.experiment.attack).toMatchObject({ name: 'cw', steps: 12, binarySearchSteps: 2, c0: 5, lr: 0.5, confidence: 2 });
    const b = decodeExperiment('#v=1&attack=fgsm&eps=0.2&rs=0&bstart=30&bn=6&beps=0,0.1&tgt=1&target=-1').experiment;
    expect(b.attack).toMatchObject({ name: 'fgsm', eps: 0.2, randomStart: false, targeted: true, target: -1 });
    expect(b.batch).toMatchObject({ start: 30, n: 6, epsilons: [0, 0.1] });
    // version 1 ran C&W with the paper's optimiser at the then default learning rate: the link still does
    expect(decodeExperiment('#v=1&attack=cw').experiment.attack).toMatchObject({ optimizer: 'paper', lr: 0.01 });
    expect(decodeExperiment('#v=2&atk.name=cw').experiment.attack).toMatchObject({ optimizer: 'cosine', lr: 0.2 });
    const q = decodeExperiment('#v=1&attack=square&eps=0.3&q=1000&p=0.8').experiment.attack;
    expect(q).toMatchObject({ name: 'square', eps: 0.3, queries: 1000, pInit: 0.8 });
  });
  it('each v1 link of the browser tests re-encodes to a v2 link that decodes to the same experiment, with the same notices', () => {
    for (const link of V1_LINKS) {
      const old = decodeExperiment(link);
      const v2 = encodeExperiment(old.experiment);
      expect(v2.startsWith('v=2'), link).toBe(true);
      expect(v2, link).not.toMatch(/(^|&)(attack|eps|bn)=/);
      const again = decodeExperiment(v2);
      expect(again.notices, link).toEqual([]);
      expect(again.experiment, link).toEqual(old.experiment);
    }
    expect(decodeExperiment(V1_LINKS[8]).notices.join(' ')).toMatch(/test image -5 .*|Unknown setting "zzz"/);
  });
  it('a link without a version and with flat keys is read as format 1', () => {
    expect(decodeExperiment('attack=fgsm&eps=0.25').experiment.attack).toMatchObject({ name: 'fgsm', eps: 0.25 });
  });
});

describe('links of format 2 (lab prefixes)', () => {
  it('prefix each lab key and version the slice; keys of other labs are not confused', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    Object.assign(e.attack, { name: 'cw', c0: 0.5, lr: 0.05 });
    const hash = encodeExperiment(e);
    const p = new URLSearchParams(hash);
    expect(p.get('atk.v')).toBe('2');
    expect(p.get('atk.name')).toBe('cw');
    expect(p.get('atk.c')).toBe('0.5');
    expect(p.get('atk.lr')).toBe('0.05');
    expect(p.get('c')).toBeNull();
    expect(decodeExperiment(hash).experiment).toEqual(e);
  });
  it('reads an older slice version through its migrations, and says so for a newer one', () => {
    expect(decodeExperiment('v=2&atk.v=1&atk.attack=fgsm&atk.eps=0.2').experiment.attack).toMatchObject({ name: 'fgsm', eps: 0.2 });
    const newer = decodeExperiment('v=2&atk.v=9&atk.name=fgsm');
    expect(newer.notices.join(' ')).toMatch(/newer version of the lab \(atk\.v=9\)/);
  });
  it('turns unknown labs and keys into notices', () => {
    const d = decodeExperiment('v=2&zz.x=1&atk.nope=2&atk.eps=0.2');
    expect(d.experiment.attack.eps).toBe(0.2);
    expect(d.notices.join(' ')).toMatch(/Unknown setting "zz\.x"/);
    expect(d.notices.join(' ')).toMatch(/Unknown setting "atk\.nope"/);
  });
});
