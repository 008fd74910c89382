import { describe, expect, it } from 'vitest';
import { cloneExperiment, decodeExperiment, DEFAULT_EXPERIMENT, encodeExperiment, experimentFromFlags } from '../../experiment';

describe('the defended-model fields (def.t, def.adapt, def.eot)', () => {
  it('round-trip through the link in canonical form', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    e.defence = { transforms: 'bit-depth:1,median:2', adaptive: 'bpda', eotSamples: 10 };
    const hash = encodeExperiment(e);
    expect(hash).toContain('def.t=bit-depth%3A1%2Cmedian%3A2');
    expect(hash).toContain('def.adapt=bpda');
    const d = decodeExperiment(`#${hash}`);
    expect(d.experiment.defence).toEqual(e.defence);
    expect(d.notices).toEqual([]);
    // written loosely, read canonically
    const loose = decodeExperiment(`#${hash.replace(/def\.t=[^&]*/, 'def.t=gaussian%3A0.30%20%2C%20jpeg%3A75')}`);
    expect(loose.experiment.defence.transforms).toBe('gaussian:0.3,jpeg:75');
  });
  it('a bad defence in a link is refused with its one-line error, the default kept', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    e.defence = { transforms: 'median:2', adaptive: 'none', eotSamples: 10 };
    const hash = encodeExperiment(e).replace(/def\.t=[^&]*/, 'def.t=blur%3A3');
    const d = decodeExperiment(`#${hash}`);
    expect(d.experiment.defence.transforms).toBe('');
    expect(d.notices.join(' ')).toMatch(/unknown transform "blur"/);
  });
  it('is the CLI flag --defence', () => {
    const e = experimentFromFlags({ defence: 'jpeg:75', adaptive: 'bpda' }, undefined, 'defences');
    expect(e.defence.transforms).toBe('jpeg:75');
    expect(e.defence.adaptive).toBe('bpda');
    expect(() => experimentFromFlags({ defence: 'jpeg:0' }, undefined, 'defences')).toThrow(/^--defence: defence: jpeg quality 0/);
  });
});
