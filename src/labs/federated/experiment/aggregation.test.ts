import { describe, expect, it } from 'vitest';
import { makeCodec } from '../../../core/experiment/codec';
import { AGGREGATORS } from '../aggregators/index';
import { cloneFederatedPart, defaultFederatedPart, FEDERATED_SLICE } from '../experiment';
import { aggregatorParams, defaultAggregation } from './aggregation';

describe("the aggregation part of the lab's slice", () => {
  const codec = makeCodec([FEDERATED_SLICE], defaultFederatedPart(), cloneFederatedPart);

  it('a link carries the rule and its parameters (fl.agg, fl.f, ...) and reads them back', () => {
    const e = defaultFederatedPart();
    e.aggregation = { ...e.aggregation, rule: 'multikrum', f: 2, keep: 5, kappa: 0.5 };
    const hash = codec.encode(e);
    expect(hash).toContain('fl.agg=multikrum');
    expect(hash).toContain('fl.f=2');
    const back = codec.decode(hash);
    expect(back.notices).toEqual([]);
    expect(back.experiment.aggregation).toEqual(e.aggregation);
    expect(codec.decode('#v=2&fl.v=1&fl.agg=nope').notices.join(' ')).toMatch(/aggregator/);
  });

  it("links of slice version 1 keep norm clipping's old default bound of 1 (version 2's default is the median norm, 0)", () => {
    expect(defaultAggregation().clip).toBe(0);
    expect(codec.decode('#v=2&fl.v=1&fl.agg=norm-clip').experiment.aggregation.clip).toBe(1);
    expect(codec.decode('#v=2&fl.v=1&fl.agg=norm-clip&fl.clip=0.3').experiment.aggregation.clip).toBe(0.3);
    expect(codec.decode('#v=2&fl.v=2&fl.agg=norm-clip').experiment.aggregation.clip).toBe(0);
    expect(codec.encode({ ...defaultFederatedPart(), aggregation: { ...defaultAggregation(), rule: 'norm-clip' } })).toContain('fl.v=2');
  });

  it("offers every registered rule, and keep 0 means Multi-Krum's n - f", () => {
    expect(codec.fieldOf('aggregation.rule').type).toEqual({ kind: 'enum', values: Object.keys(AGGREGATORS) });
    expect(aggregatorParams(defaultAggregation()).keep).toBeUndefined();
    expect(aggregatorParams({ ...defaultAggregation(), keep: 4 }).keep).toBe(4);
  });
});
