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
  /** Secure aggregation (Bonawitz et al. 2017, the privacy lab): the server sees only the sum (FedAvg only). */
  secagg: boolean;
  /** Secure aggregation: clients that drop out mid-round each round (seeded; at most n - t). */
  secaggDropouts: number;
  /** Secure aggregation: the fixed-point clip range of each update coordinate. */
  secaggRange: number;
  /** DP-FedAvg (McMahan et al. 2018): noise multiplier z (0: off). */
  dpNoise: number;
  /** DP-FedAvg: the bound S on each client update's L2 norm. */
  dpClip: number;
  /** DP-FedAvg: delta of the user-level (epsilon, delta) guarantee. */
  dpDelta: number;
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
  secagg: false,
  secaggDropouts: 0,
  secaggRange: 1,
  dpNoise: 0,
  dpClip: 1,
  dpDelta: 1e-5,
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

/**
 * The server's privacy options, fields of the same part (fl.sa, fl.dpz, ...): secure aggregation and
 * DP-FedAvg (the privacy lab's algorithms). `rlab fl` and the panel read them; `rlab aggregate` does not.
 */
export const SERVER_PRIVACY_FIELDS: readonly Field<AggregationPart>[] = [
  {
    path: 'aggregation.secagg',
    url: 'sa',
    cli: 'secagg',
    type: { kind: 'bool' },
    label: 'secure aggregation',
    help: 'secure aggregation (Bonawitz et al. 2017): the server learns only the sum of n_k * update and n_k (FedAvg only)',
    default: false,
  },
  {
    path: 'aggregation.secaggDropouts',
    url: 'sadrop',
    cli: 'secagg-dropouts',
    type: { kind: 'int', min: 0, max: 100 },
    label: 'dropouts',
    help: 'secure aggregation: clients dropping out mid-round each round (seeded step; above n - t the round aborts)',
    default: 0,
  },
  {
    path: 'aggregation.secaggRange',
    url: 'sarange',
    cli: 'secagg-range',
    type: { kind: 'float', min: 1e-4, max: 100 },
    label: 'range',
    help: "secure aggregation: each update coordinate is clipped to [-range, range] for the 32-bit ring's fixed point",
    default: 1,
  },
  {
    path: 'aggregation.dpNoise',
    url: 'dpz',
    cli: 'dp-noise',
    type: { kind: 'float', min: 0, max: 100 },
    label: 'noise multiplier',
    short: 'z',
    help: 'DP-FedAvg (McMahan et al. 2018): Gaussian noise std z * S / (q N) on the average, clients sampled at q = per-round / clients (0: off)',
    default: 0,
    slider: () => ({ min: 0, max: 2, step: 0.1 }),
  },
  {
    path: 'aggregation.dpClip',
    url: 'dps',
    cli: 'dp-clip',
    type: { kind: 'float', min: 1e-6, max: 1e6 },
    label: 'update clip',
    short: 'S',
    help: "DP-FedAvg: the bound S on each client update's L2 norm",
    default: 1,
  },
  {
    path: 'aggregation.dpDelta',
    url: 'dpdelta',
    cli: 'dp-delta',
    type: { kind: 'float', min: 1e-12, max: 0.1 },
    label: 'delta',
    short: 'δ',
    help: "DP-FedAvg: delta of the user-level guarantee (epsilon from the privacy lab's RDP accountant)",
    default: 1e-5,
  },
];
