/**
 * The aggregation rules, by name (CLI `--aggregator`, URL `fl.agg`). Each is a pure function over
 * update vectors in its own file (types.ts is the contract).
 */
import { bulyan } from './bulyan';
import { fedavg } from './fedavg';
import { fltrust } from './fltrust';
import { foolsgold } from './foolsgold';
import { krum } from './krum';
import { median } from './median';
import { multikrum } from './multikrum';
import { normClip } from './norm-clip';
import { trimmedMean } from './trimmed-mean';
import type { Aggregator } from './types';

export const AGGREGATORS: Readonly<Record<string, { label: string; reference: string; run: Aggregator }>> = {
  fedavg: { label: 'FedAvg', reference: 'McMahan et al. 2017', run: fedavg },
  krum: { label: 'Krum', reference: 'Blanchard et al. 2017', run: krum },
  multikrum: { label: 'Multi-Krum', reference: 'Blanchard et al. 2017', run: multikrum },
  median: { label: 'Median', reference: 'Yin et al. 2018', run: median },
  'trimmed-mean': { label: 'Trimmed mean', reference: 'Yin et al. 2018', run: trimmedMean },
  'norm-clip': { label: 'Norm clipping', reference: 'Sun et al. 2019', run: normClip },
  foolsgold: { label: 'FoolsGold', reference: 'Fung et al. 2020', run: foolsgold },
  bulyan: { label: 'Bulyan', reference: 'El Mhamdi et al. 2018', run: bulyan },
  fltrust: { label: 'FLTrust', reference: 'Cao et al. 2021', run: fltrust },
};

export type { Aggregator, AggregationInput, AggregationResult, AggregatorParams } from './types';
export { DEFAULT_AGGREGATOR_PARAMS } from './types';
