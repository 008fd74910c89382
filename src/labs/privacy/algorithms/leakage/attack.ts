/**
 * What the three gradient-leakage attacks share: their options, progress and result, the distance
 * between gradients, and the dummy variables' seeded initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { LbfgsOptions } from './lbfgs';

export interface LeakProgress {
  /** Optimiser steps done. */
  step: number;
  /** The gradient-matching loss. */
  loss: number;
  /** The current reconstruction [B, h, w, c], raw (clip it for display). */
  reconstruction: Float32Array;
  labels: number[];
}

export interface LeakOptions {
  /** Optimiser steps: L-BFGS steps (DLG, iDLG; each up to maxIterPerStep iterations) or Adam steps (IG). */
  iterations: number;
  seed: number;
  /** Called every progressEvery steps and at the end; returning false stops the attack (cancel). */
  onProgress?: (p: LeakProgress) => boolean | void | Promise<boolean | void>;
  progressEvery?: number;
  /** L-BFGS's stopping tolerances (DLG, iDLG; PyTorch's defaults unless given). */
  tolerances?: Pick<LbfgsOptions, 'toleranceGrad' | 'toleranceChange'>;
}

export interface LeakResult {
  reconstruction: Float32Array;
  /** The labels the attack ends with (DLG: argmax of its soft label; iDLG: read from the gradient; IG: given). */
  labels: number[];
  steps: number;
  /** Gradient evaluations of the matching loss (each one second-order pass). */
  evaluations: number;
  loss: number;
  stopped: boolean;
}

/** sum over tensors of ||a - b||^2: the DLG authors' grad_diff. */
export function squaredDistance(a: readonly tf.Tensor[], b: readonly tf.Tensor[]): tf.Scalar {
  return tf.addN(a.map((g, i) => tf.sum(tf.square(tf.sub(g, b[i]))))) as tf.Scalar;
}

/** tf.tidy for a function returning plain values (tidy itself types its result as tensors). */
export function tidyValue<T>(f: () => T): T {
  let out!: T;
  tf.tidy(() => {
    out = f();
  });
  return out;
}

/** Standard normal values of a given length from a seed (torch.randn's role), in float64. */
export function randn(n: number, seed: number): Float64Array {
  return tidyValue(() => Float64Array.from(tf.randomNormal([n], 0, 1, 'float32', seed).dataSync()));
}

/** The values of a list of tensors end to end, in float64. */
export function flatten64(ts: readonly tf.Tensor[]): Float64Array {
  const parts = ts.map((t) => t.dataSync());
  const out = new Float64Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export const argmaxRows = (v: Float32Array | Float64Array, rows: number): number[] => {
  const k = v.length / rows;
  return Array.from({ length: rows }, (_, i) => {
    let best = 0;
    for (let j = 1; j < k; j++) if (v[i * k + j] > v[i * k + best]) best = j;
    return best;
  });
};

/** Reports progress every `every` steps (and at the last); true when the caller asked to stop. */
export async function report(options: LeakOptions, step: number, last: boolean, p: () => LeakProgress): Promise<boolean> {
  const every = options.progressEvery ?? 10;
  if (!options.onProgress || (!last && step % every !== 0)) return false;
  return (await options.onProgress(p())) === false;
}
