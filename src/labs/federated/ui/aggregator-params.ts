/**
 * The parameters each aggregation rule reads (aggregators/*.ts): the settings form shows only the
 * chosen rule's ones. aggregator-params.test.ts checks this table against what the rules really read.
 */
export const AGGREGATOR_PARAMS: Readonly<Record<string, readonly string[]>> = {
  fedavg: [],
  krum: ['f'],
  multikrum: ['f', 'keep'],
  median: [],
  'trimmed-mean': ['trim'],
  'norm-clip': ['clip', 'noise'],
  foolsgold: ['kappa'],
  bulyan: ['f'],
  fltrust: [],
};
