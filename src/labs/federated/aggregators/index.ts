/**
 * The aggregation rules, by name (CLI `--aggregator`, URL `fl.agg`). Each is a pure function over
 * update vectors in its own file (types.ts is the contract).
 */
import { fedavg } from './fedavg';
import type { Aggregator } from './types';

export const AGGREGATORS: Readonly<Record<string, { label: string; reference: string; run: Aggregator }>> = {
  fedavg: { label: 'FedAvg', reference: 'McMahan et al. 2017', run: fedavg },
};

export type { Aggregator, AggregationInput, AggregationResult, AggregatorParams } from './types';
export { DEFAULT_AGGREGATOR_PARAMS } from './types';
