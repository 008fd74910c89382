import { describe, expect, it } from 'vitest';
import { DEFAULT_EXPERIMENT, decodeExperiment, encodeExperiment, experimentFromFlags, cloneExperiment } from './experiment';

describe('experiment URL codec', () => {
  it('round-trips every field', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    Object.assign(e, { dataset: 'fashion-mnist', model: 'fashion-cnn-robust', sample: 1234, backend: 'webgl' });
    Object.assign(e.attack, { name: 'fgsm', eps: 0.05, steps: 7, stepSize: 0.02, randomStart: false, restarts: 3, seed: 42 });
    const d = decodeExperiment(encodeExperiment(e));
    expect(d.notices).toEqual([]);
    expect(d.experiment).toEqual(e);
  });
  it('omits defaults, so the default view has a short link', () => {
    expect(encodeExperiment(DEFAULT_EXPERIMENT)).toBe('v=1');
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
  it('throws a one-line error on a bad value', () => {
    expect(() => experimentFromFlags({ eps: 'abc' })).toThrow(/--eps: epsilon "abc" is not a number/);
  });
});
