import { describe, expect, it } from 'vitest';
import { cloneExperiment, decodeExperiment, DEFAULT_EXPERIMENT, encodeExperiment } from '../../experiment';
import { defaultDp } from './dp';

describe("the DP-SGD settings in the privacy lab's slice", () => {
  it('round-trip through the link as pv.d* keys, defaults left out', () => {
    const e = cloneExperiment(DEFAULT_EXPERIMENT);
    e.dp = {
      ...defaultDp(),
      noise: 'epsilon',
      target: 2.5,
      clip: 1.5,
      batch: 30,
      epochs: 1,
      slice: 300,
      delta: 1e-3,
      accountant: 'prv',
      every: 2,
      image: 9,
    };
    const hash = encodeExperiment(e);
    const q = new URLSearchParams(hash);
    expect(q.get('pv.dnoise')).toBe('epsilon');
    expect(q.get('pv.dtgt')).toBe('2.5');
    expect(q.get('pv.dacc')).toBe('prv');
    expect(q.get('pv.dimg')).toBe('9');
    expect(q.get('pv.dsig')).toBeNull();
    const d = decodeExperiment(`#${hash}`);
    expect(d.notices).toEqual([]);
    expect(d.experiment.dp).toEqual(e.dp);
  });

  it('an older privacy link (no DP keys) opens as before, with the DP defaults', () => {
    const d = decodeExperiment('#v=2&lab=privacy&pv.v=1&pv.pool=60&pv.sh=3&pv.lm=idlg');
    expect(d.notices).toEqual([]);
    expect(d.experiment.mia.pool).toBe(60);
    expect(d.experiment.leak.method).toBe('idlg');
    expect(d.experiment.dp).toEqual(defaultDp());
  });

  it('turns bad DP values into notices and keeps the defaults', () => {
    const d = decodeExperiment('#v=2&pv.v=1&pv.dsig=-1&pv.dacc=moments&pv.dbs=2.5&pv.dclip=0.5');
    expect(d.notices.join(' ')).toMatch(/noise multiplier σ -1 is outside 0.1..100/);
    expect(d.notices.join(' ')).toMatch(/accountant "moments" is not one of rdp, rdp-classic, prv/);
    expect(d.notices.join(' ')).toMatch(/expected batch 2.5 is not a whole number/);
    expect(d.experiment.dp).toEqual({ ...defaultDp(), clip: 0.5 });
  });
});
