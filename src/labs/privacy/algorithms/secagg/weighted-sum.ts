/**
 * FedAvg through secure aggregation: each client k sends n_k * u_k (its data size times its update)
 * and n_k, both inside one masked vector, so that the server learns only sum_k n_k u_k and sum_k n_k
 * of the clients the protocol includes, and divides. Layout of a client's ring vector: m fixed-point
 * coordinates of n_k u_k (clipped to [-range * maxWeight, range * maxWeight], fixed-point.ts), then
 * n_k as a plain integer (sum of n integers <= maxWeight each, below 2^31).
 */
import { decode, encode, fixedPoint, type FixedPoint } from './fixed-point';
import { defaultThreshold, secureAggregate, type DropStage, type SecAggResult } from './protocol';

export interface SecureMeanOptions {
  /** Each update coordinate's clip range (the encoding covers [-range, range] times the weight). */
  range: number;
  /** The largest client weight n_k possible (fixes the scale before any client speaks). */
  maxWeight: number;
  threshold?: number;
  dropouts?: ReadonlyMap<number, DropStage>;
}

export interface SecureMeanResult {
  /** sum_k n_k u_k / sum_k n_k over the included clients (null weight sum 0). */
  mean: Float32Array;
  weightSum: number;
  protocol: SecAggResult;
  fixedPoint: FixedPoint;
  /** Coordinates clipped by the encoding, summed over clients. */
  clipped: number;
  threshold: number;
}

export async function secureWeightedMean(
  updates: readonly Float32Array[],
  weights: readonly number[],
  opts: SecureMeanOptions,
): Promise<SecureMeanResult> {
  const n = updates.length;
  const fp = fixedPoint(opts.range * opts.maxWeight, n);
  if (n * opts.maxWeight > 2 ** 31 - 1) throw new Error(`${n} clients of up to ${opts.maxWeight} examples overflow the 32-bit ring`);
  let clipped = 0;
  const inputs = updates.map((u, k) => {
    const w = weights[k];
    if (!Number.isInteger(w) || w < 0 || w > opts.maxWeight)
      throw new Error(`client weight ${w} is not a whole number in [0, ${opts.maxWeight}]`);
    const scaled = new Float64Array(u.length);
    for (let j = 0; j < u.length; j++) scaled[j] = w * u[j];
    const { ring, clipped: c } = encode(fp, scaled);
    clipped += c;
    const out = new Uint32Array(u.length + 1);
    out.set(ring);
    out[u.length] = w;
    return out;
  });
  const threshold = opts.threshold ?? defaultThreshold(n);
  const protocol = await secureAggregate(inputs, { threshold, dropouts: opts.dropouts });
  const m = updates[0].length;
  const weightSum = protocol.sum[m] >>> 0;
  const total = decode(fp, protocol.sum.subarray(0, m));
  const mean = new Float32Array(m);
  if (weightSum > 0) for (let j = 0; j < m; j++) mean[j] = total[j] / weightSum;
  return { mean, weightSum, protocol, fixedPoint: fp, clipped, threshold };
}
