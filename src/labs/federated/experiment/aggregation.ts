/**
 * The aggregation rule's part of the federated lab's slice (`fl.*` URL keys): which rule the server
 * uses (aggregators/index.ts) and its parameters. The federated simulation, links and `rlab aggregate`
 * read these same fields.
 */
import type { Field } from '../../../core/experiment/fields';
import { AGGREGATORS } from '../aggregators/index';
import { DEFAULT_AGGREGATOR_PARAMS, type AggregatorParams } from '../aggregators/types';

export interface AggregationSettings {
  /** The rule's name in AGGREGATORS. */
  rule: string;
  /** Byzantine clients tolerated (Krum, Multi-Krum, Bulyan). */
  f: number;
  /** Trimmed mean's beta. */
  trim: number;
  /** Norm clipping's bound. */
  clip: number;
  /** Std of norm clipping's Gaussian noise (0: none). */
  noise: number;
  /** Multi-Krum's kept updates (0: n - f). */
  keep: number;
  /** FoolsGold's kappa. */
  kappa: number;
}

export interface AggregationPart {
  aggregation: AggregationSettings;
}

export const defaultAggregation = (): AggregationSettings => ({
  rule: 'fedavg',
  f: DEFAULT_AGGREGATOR_PARAMS.f,
  trim: DEFAULT_AGGREGATOR_PARAMS.trim,
  clip: DEFAULT_AGGREGATOR_PARAMS.clip,
  noise: DEFAULT_AGGREGATOR_PARAMS.noise,
  keep: 0,
  kappa: DEFAULT_AGGREGATOR_PARAMS.kappa,
});

/** The rule's parameters as the aggregators take them (keep 0 -> n - f). */
export const aggregatorParams = (s: AggregationSettings): AggregatorParams => ({
  f: s.f,
  trim: s.trim,
  clip: s.clip,
  noise: s.noise,
  kappa: s.kappa,
  ...(s.keep > 0 ? { keep: s.keep } : {}),
});

export const AGGREGATION_FIELDS: readonly Field<AggregationPart>[] = [
  {
    path: 'aggregation.rule',
    url: 'agg',
    cli: 'aggregator',
    type: { kind: 'enum', values: Object.keys(AGGREGATORS) },
    label: 'aggregator',
    help: "the server's aggregation rule",
    default: 'fedavg',
  },
  {
    path: 'aggregation.f',
    url: 'f',
    cli: 'f',
    type: { kind: 'int', min: 0, max: 48 },
    label: 'f',
    help: 'Byzantine clients tolerated (Krum, Multi-Krum: n > 2f + 2; Bulyan: n >= 4f + 3)',
    default: DEFAULT_AGGREGATOR_PARAMS.f,
  },
  {
    path: 'aggregation.trim',
    url: 'trim',
    cli: 'trim',
    type: { kind: 'float', min: 0, max: 0.49 },
    label: 'trim',
    short: 'β',
    help: 'trimmed mean: floor(trim * n) values cut at each end of every coordinate',
    default: DEFAULT_AGGREGATOR_PARAMS.trim,
    slider: () => ({ min: 0, max: 0.45, step: 0.05 }),
  },
  {
    path: 'aggregation.clip',
    url: 'clip',
    cli: 'clip',
    type: { kind: 'float', min: 0, max: 1e6 },
    label: 'clip',
    help: "norm clipping: the bound on each update's L2 norm (0: the median norm of the round's updates)",
    default: DEFAULT_AGGREGATOR_PARAMS.clip,
  },
  {
    path: 'aggregation.noise',
    url: 'noise',
    cli: 'noise',
    type: { kind: 'float', min: 0, max: 10 },
    label: 'noise',
    short: 'σ',
    help: 'norm clipping: std of the Gaussian noise added to the aggregate (0: none)',
    default: DEFAULT_AGGREGATOR_PARAMS.noise,
  },
  {
    path: 'aggregation.keep',
    url: 'keep',
    cli: 'keep',
    type: { kind: 'int', min: 0, max: 100 },
    label: 'keep',
    help: 'Multi-Krum: updates kept and averaged (0: n - f)',
    default: 0,
  },
  {
    path: 'aggregation.kappa',
    url: 'kappa',
    cli: 'kappa',
    type: { kind: 'float', min: 0.01, max: 100 },
    label: 'kappa',
    short: 'κ',
    help: "FoolsGold: the logit's confidence kappa",
    default: DEFAULT_AGGREGATOR_PARAMS.kappa,
  },
];
