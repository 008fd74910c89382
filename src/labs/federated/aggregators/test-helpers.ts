/** Shared by the aggregators' tests: vectors from arrays, and the default parameters. */
import { DEFAULT_AGGREGATOR_PARAMS, type AggregatorParams } from './types';

export const vecs = (rows: number[][]) => rows.map((r) => Float32Array.from(r));
export const params = (over: Partial<AggregatorParams> = {}): AggregatorParams => ({ ...DEFAULT_AGGREGATOR_PARAMS, ...over });
export const ones = (n: number) => Array.from({ length: n }, () => 1);

// five honest updates around (1, 1), the centre (1, 1) at index 3; two far outliers at 0 and 5
export const CLUSTER = vecs([
  [10, 10],
  [1.1, 1],
  [0.9, 1],
  [1, 1],
  [1, 1.1],
  [-10, 5],
  [1, 0.9],
]);
