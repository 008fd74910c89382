/**
 * The contract of every aggregation rule: a pure function over the clients' update vectors (each the
 * client's new weights minus the global weights, flattened in the model's weight order). The caller
 * adds the aggregate to the global weights (server learning rate 1 unless the caller scales it).
 */
export interface AggregationInput {
  /** One update per client of this round, all of one length. */
  updates: readonly Float32Array[];
  /** Each client's number of training examples (FedAvg's weights). */
  sizes: readonly number[];
  /** FoolsGold: each client's sum of its updates so far, this round's included (same order as updates). */
  history?: readonly Float32Array[];
  /** FLTrust: the server's own update on its root data set. */
  root?: Float32Array;
  /** Uniform [0, 1) source for rules that draw noise (norm clipping's weak DP noise); seeded by the caller. */
  random?: () => number;
}

export interface AggregatorParams {
  /** Byzantine clients tolerated (Krum, Multi-Krum, Bulyan). */
  f: number;
  /** Trimmed mean's beta: floor(beta * n) values cut at each end of every coordinate. */
  trim: number;
  /** Norm clipping's bound on each update's L2 norm (0: the median norm of the round's updates). */
  clip: number;
  /** Standard deviation of the Gaussian noise added after norm clipping (0: none). */
  noise: number;
  /** Multi-Krum: how many updates are kept and averaged (default n - f). */
  keep?: number;
  /** FoolsGold's confidence parameter kappa of the logit (the authors' code: 1). */
  kappa: number;
}

export const DEFAULT_AGGREGATOR_PARAMS: AggregatorParams = { f: 1, trim: 0.1, clip: 0, noise: 0, kappa: 1 };

export interface AggregationResult {
  aggregate: Float32Array;
  /** Each client's weight in the aggregate (FedAvg: size share; FoolsGold: its learning rate; FLTrust: trust score share). */
  weights?: number[];
  /** The clients chosen (Krum, Multi-Krum, Bulyan), as indices into `updates`. */
  selected?: number[];
  /** Each client's score where the rule computes one (Krum: sum of squared distances to its nearest). */
  scores?: number[];
  /** Norm clipping: the bound it applied (the median norm when its clip parameter is 0). */
  bound?: number;
}

export type Aggregator = (input: AggregationInput, params: AggregatorParams) => AggregationResult;
